//! A hand-written Rust baseline for one kz-visa rule set, for the benchmarks of `zan eval`.
//!
//! The same decision as the kz-visa rulebook gives for [`OUTPUTS`] (place of issuance,
//! fingerprinting, passport validity, the state duties in KZT, the NSC deadlines), written
//! directly in Rust the way a production service would: typed case structs read with serde,
//! plain `match`es, the MCI by date and the Kazakhstan working-day calendar as constant tables,
//! no allocation in [`decide`] beyond the result (and an error message, when there is one).
//!
//! Three measures can be taken with it, in the same run as zan's:
//! - [`io_floor`]: the I/O floor, parsing a case into the typed structs and serializing a
//!   decision of the same shape with fixed values, no rules;
//! - [`baseline_json`]: the hand-written decision end to end, JSON text in, JSON text out;
//! - [`decide`] alone, on cases parsed beforehand with [`parse`].
//!
//! [`agreement`] checks, output by output, that [`decide`] gives what zan gives for a case.
//!
//! The rulebook is the reference: every function below names the rule of
//! `rulebooks/kz-visa/*.zan` it follows. The case structs cover every fact of the visa subject
//! (`core.zan`, `visa-schema.zan`): a case with the facts of another subject (a stay, permanent
//! residence, taxes) is rejected here, while zan accepts it.
//!
//! Working days are counted in the Kazakhstan calendar of `calendar.zan`, precomputed for the
//! years the rulebook verifies (2025–2027); a deadline that reaches outside those years is an
//! output error here (zan computes its calendar for 1900–2200).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// A bench target may use only some of these functions.
#![allow(dead_code)]

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use serde::Deserialize;
use serde_json::Value as Json;
use std::fmt;

/// The rulebook's name, as zan prints it in a decision.
pub const RULEBOOK: &str = "kz_visa";

/// The kz-visa output rules this baseline decides, by name.
pub const OUTPUTS: &[&str] = &[
    "place_of_issuance",
    "fingerprint_registration_required",
    "passport_must_be_valid_until",
    "visa_procedure_state_duty",
    "invitation_state_duty",
    "nsc_approval_deadline",
    "invitation_decision_deadline",
];

// ====================================================================== dates

/// A calendar date: days since 1970-01-01 (proleptic Gregorian), years 0000..=9999, as zan's
/// `time::date::Day`. Read and written as `"YYYY-MM-DD"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Day(i32);

const fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

const fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Day {
    /// The date, or `None` when it is not a calendar date of the years 0000..=9999.
    pub const fn from_ymd(y: i32, m: u32, d: u32) -> Option<Day> {
        if y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = (y - era * 400) as u32;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe as i32 - 719_468))
    }

    /// A date written in this file; a bad one does not compile (in a `const`).
    const fn ymd_const(y: i32, m: u32, d: u32) -> Day {
        match Day::from_ymd(y, m, d) {
            Some(day) => day,
            None => panic!("not a calendar date"),
        }
    }

    /// Year, month, day.
    pub const fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = (z - era * 146_097) as u32;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe as i32 + era * 400;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero padded), as zan does.
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let mut n = [0u32; 8];
        for (slot, &c) in n
            .iter_mut()
            .zip(b[0..4].iter().chain(&b[5..7]).chain(&b[8..10]))
        {
            if !c.is_ascii_digit() {
                return None;
            }
            *slot = u32::from(c - b'0');
        }
        let year = n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3];
        Day::from_ymd(year as i32, n[4] * 10 + n[5], n[6] * 10 + n[7])
    }

    /// `YYYY-MM-DD` into `buf`.
    fn write(self, buf: &mut [u8; 10]) -> &str {
        let (y, m, d) = self.ymd();
        let y = y.clamp(0, 9999) as u32;
        let digits = [y / 1000, y / 100 % 10, y / 10 % 10, y % 10];
        for (slot, digit) in buf[0..4].iter_mut().zip(digits) {
            *slot = b'0' + digit as u8;
        }
        buf[4] = b'-';
        buf[5] = b'0' + (m / 10) as u8;
        buf[6] = b'0' + (m % 10) as u8;
        buf[7] = b'-';
        buf[8] = b'0' + (d / 10) as u8;
        buf[9] = b'0' + (d % 10) as u8;
        // Only ASCII digits and '-' were written.
        std::str::from_utf8(buf).unwrap_or_default()
    }

    /// Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday).
    const fn weekday(self) -> i32 {
        (self.0 + 3).rem_euclid(7)
    }

    fn plus_days(self, n: i32) -> Day {
        Day(self.0 + n)
    }

    /// `self` plus `n` calendar months, the day of month clamped to the end of a shorter month
    /// (2026-11-30 + 3 months = 2027-02-28), as zan's `date + N months`. `None` past 9999.
    pub fn add_months(self, n: i32) -> Option<Day> {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) + n;
        let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        if !(0..=9999).contains(&year) {
            return None;
        }
        Day::from_ymd(year, month, d.min(days_in_month(year, month)))
    }

    /// Whole years of age completed on `on` by a person born on `self` (29 February birthdays
    /// count from 1 March in other years); `None` when `on` is before the birth.
    fn age_on(self, on: Day) -> Option<i32> {
        if on < self {
            return None;
        }
        let ((by, bm, bd), (oy, om, od)) = (self.ymd(), on.ymd());
        Some(oy - by - i32::from((om, od) < (bm, bd)))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write(&mut [0; 10]))
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        struct DayVisitor;
        impl Visitor<'_> for DayVisitor {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as \"2026-03-10\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Day, E> {
                Day::parse(s).ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_str(DayVisitor)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; 10]))
    }
}

// ====================================================================== the case (core.zan)

/// Countries and territories (`enum Country`, core.zan).
#[rustfmt::skip]
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Country {
    Afghanistan, Albania, Algeria, Andorra, Angola, AntiguaAndBarbuda, Argentina, Armenia,
    Australia, Austria, Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium,
    Belize, Benin, Bhutan, Bolivia, BosniaAndHerzegovina, Botswana, Brazil, Brunei, Bulgaria,
    BurkinaFaso, Burundi, Cambodia, Cameroon, Canada, CapeVerde, CentralAfricanRepublic, Chad,
    Chile, China, Colombia, Comoros, Congo, CostaRica, Croatia, Cuba, Cyprus, CzechRepublic,
    DrCongo, Denmark, Djibouti, Dominica, DominicanRepublic, Ecuador, Egypt, ElSalvador,
    EquatorialGuinea, Eritrea, Estonia, Eswatini, Ethiopia, Fiji, Finland, France, Gabon, Gambia,
    Georgia, Germany, Ghana, Greece, Grenada, Guatemala, Guinea, GuineaBissau, Guyana, Haiti,
    Honduras, HongKong, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy,
    IvoryCoast, Jamaica, Japan, Jordan, Kazakhstan, Kenya, Kiribati, Kosovo, Kuwait, Kyrgyzstan,
    Laos, Latvia, Lebanon, Lesotho, Liberia, Libya, Liechtenstein, Lithuania, Luxembourg, Macao,
    Madagascar, Malawi, Malaysia, Maldives, Mali, Malta, MarshallIslands, Mauritania, Mauritius,
    Mexico, Micronesia, Moldova, Monaco, Mongolia, Montenegro, Morocco, Mozambique, Myanmar,
    Namibia, Nauru, Nepal, Netherlands, NewZealand, Nicaragua, Niger, Nigeria, NorthKorea,
    NorthMacedonia, Norway, Oman, Pakistan, Palau, Palestine, Panama, PapuaNewGuinea, Paraguay,
    Peru, Philippines, Poland, Portugal, Qatar, Romania, Russia, Rwanda, SaintKittsAndNevis,
    SaintLucia, SaintVincentAndTheGrenadines, Samoa, SanMarino, SaoTomeAndPrincipe, SaudiArabia,
    Senegal, Serbia, Seychelles, SierraLeone, Singapore, Slovakia, Slovenia, SolomonIslands,
    Somalia, SouthAfrica, Korea, SouthSudan, Spain, SriLanka, Sudan, Suriname, Sweden,
    Switzerland, Syria, Taiwan, Tajikistan, Tanzania, Thailand, TimorLeste, Togo, Tonga,
    TrinidadAndTobago, Tunisia, Turkey, Turkmenistan, Tuvalu, Uganda, Ukraine, UnitedArabEmirates,
    UnitedKingdom, UnitedStates, Uruguay, Uzbekistan, Vanuatu, Vatican, Venezuela, Vietnam, Yemen,
    Zambia, Zimbabwe,
}

/// Regions and cities of republican significance (`enum Region`, core.zan). Variant names
/// follow the rulebook's values.
#[rustfmt::skip]
#[allow(clippy::enum_variant_names)]
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    AstanaCity, AlmatyCity, ShymkentCity, Abai, Akmola, Aktobe, AlmatyRegion, Atyrau,
    EastKazakhstan, Jambyl, Jetisu, Karaganda, Kostanay, Kyzylorda, Mangystau, NorthKazakhstan,
    Pavlodar, Turkistan, Ulytau, WestKazakhstan,
}

/// `enum SpecialRegime`, core.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum SpecialRegime {
    #[default]
    Ordinary,
    AifcParticipant,
    AifcBody,
    InnovationClusterEmployee,
    FundEmployee,
}

/// `enum ForeignPermitKind`, core.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum ForeignPermitKind {
    PermanentResidence,
    LongTermEmployment,
    LongTermInvestment,
    LongTermEducation,
    LongTermMedicalTreatment,
    LongTermOther,
    ShortTermStay,
}

/// `record ForeignPermit`, core.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct ForeignPermit {
    pub country: Country,
    pub kind: ForeignPermitKind,
    pub valid_until: Option<Day>,
}

fn two() -> i64 {
    2
}

/// `record Passport`, core.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Passport {
    pub expires_on: Day,
    #[serde(default = "two")]
    pub blank_pages: i64,
}

/// `record Applicant`, core.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub name: Option<String>,
    pub birth_date: Day,
    pub citizenship: Country,
    #[serde(default)]
    pub permits_abroad: Vec<ForeignPermit>,
    #[serde(default)]
    pub special_regime: SpecialRegime,
    #[serde(default)]
    pub special_regime_through_family_member: bool,
    pub passport: Option<Passport>,
}

/// `enum TravelPurpose`, core.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum TravelPurpose {
    Employment,
    Business,
    Tourism,
    PrivateVisit,
    Study,
    InternshipOrPracticalTraining,
    MedicalTreatment,
    Investment,
    FamilyReunification,
    PermanentResidence,
    OtherPurpose,
}

// ====================================================================== the case (visa-schema.zan)

/// `enum VisaCategory`, visa-schema.zan.
#[rustfmt::skip]
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum VisaCategory {
    A1, A2, A3, A4, A5, A6,
    B1, B2, B3, B4, B5, B6, B7, B8, B9,
    #[serde(rename = "b9_1")]
    B9_1,
    B10, B11, B12,
    #[serde(rename = "b12_1")]
    B12_1,
    C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C12,
}

/// `enum Entries`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum Entries {
    #[default]
    Single,
    Multiple,
}

/// `enum VisaOperation`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum VisaOperation {
    #[default]
    PrimaryIssuance,
    Extension,
    Cancellation,
    Restoration,
    ReductionOfValidity,
}

/// `enum VisaForm`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum VisaForm {
    #[default]
    Sticker,
    Electronic,
}

/// `enum Channel`, visa-schema.zan. Variant names follow the rulebook's values.
#[allow(clippy::enum_variant_names)]
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    ForeignMission,
    VisaAndMigrationPortal,
    MigrationServiceInKazakhstan,
    OtherChannel,
}

/// `enum InvitingPartyKind`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum InvitingPartyKind {
    #[default]
    LegalEntity,
    BranchOrRepresentativeOffice,
    Individual,
    StateBody,
}

/// `enum PetitionIssuer`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum PetitionIssuer {
    CentralExecutiveBody,
    InnovationCluster,
    LocalExecutiveBody,
    Employer,
    EducationalInstitution,
}

/// `enum FingerprintExemption`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum FingerprintExemption {
    #[default]
    NoExemption,
    HeadOfStateOrEquivalent,
    Diplomat,
    OfficialDelegationMember,
    HonoraryConsulOrCompanion,
    InvitedByStateBody,
    MedicalCondition,
}

/// `enum EntryPoint`, visa-schema.zan.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum EntryPoint {
    InternationalAirport,
    OtherAirport,
    RoadBorderCrossing,
    RailBorderCrossing,
    SeaPort,
}

/// `record ForeignMission`, visa-schema.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct ForeignMission {
    pub city: String,
    pub consular_district: Vec<Country>,
}

/// `record InvitingParty`, visa-schema.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct InvitingParty {
    pub name: Option<String>,
    #[serde(default)]
    pub kind: InvitingPartyKind,
    pub registration_region: Region,
}

fn yes() -> bool {
    true
}

/// `record Invitation`, visa-schema.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    pub inviting_party: InvitingParty,
    pub filed_on: Option<Day>,
    pub visa_support_number: Option<String>,
    #[serde(default = "yes")]
    pub documents_match_purpose: bool,
    #[serde(default = "yes")]
    pub entries_and_validity_correct: bool,
    #[serde(default)]
    pub grounds_for_refusal_of_entry: bool,
    #[serde(default)]
    pub grounds_for_refusal_of_service: bool,
}

/// `record Application`, visa-schema.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub submitted_on: Day,
    #[serde(default)]
    pub operation: VisaOperation,
    pub category: VisaCategory,
    pub purpose: Option<TravelPurpose>,
    #[serde(default)]
    pub entries: Entries,
    #[serde(default)]
    pub visa_form: VisaForm,
    #[serde(default)]
    pub channel: Channel,
    pub mission: Option<ForeignMission>,
    pub filed_in_region: Option<Region>,
    pub temporary_residence_region: Option<Region>,
    pub internship_petition_from: Option<PetitionIssuer>,
    #[serde(default)]
    pub training_under_innovation_cluster_program: bool,
    #[serde(default)]
    pub fingerprints_registered: bool,
    #[serde(default)]
    pub fingerprint_exemption: FingerprintExemption,
    pub visa_valid_until: Option<Day>,
    pub current_visa_expires_on: Option<Day>,
    #[serde(default)]
    pub extends_visa_free_stay: bool,
    pub visa_support_number: Option<String>,
    #[serde(default = "yes")]
    pub personal_data_entered: bool,
    #[serde(default = "yes")]
    pub passport_copy_uploaded: bool,
    pub planned_entry_on: Option<Day>,
    pub planned_exit_on: Option<Day>,
    pub planned_entry_point: Option<EntryPoint>,
    pub package_completed_on: Option<Day>,
}

/// `record IssuedVisa`, visa-schema.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct IssuedVisa {
    #[serde(default = "yes")]
    pub sticker_completed_per_approved_form: bool,
    #[serde(default)]
    pub has_corrections: bool,
}

/// `record DocumentRequest`, visa-schema.zan.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequest {
    pub document: String,
    #[serde(default)]
    pub obtainable_from_state_information_systems: bool,
    #[serde(default)]
    pub notarized_copy_required: bool,
    #[serde(default)]
    pub original_presented: bool,
    #[serde(default)]
    pub provided_for_by_pension_or_social_security_legislation: bool,
}

/// A visa case: the facts of core.zan and visa-schema.zan, the top-level keys of a case file.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct VisaCase {
    pub assessed_on: Day,
    pub applicant: Applicant,
    pub application: Option<Application>,
    pub invitation: Option<Invitation>,
    pub issued_visa: Option<IssuedVisa>,
    #[serde(default)]
    pub requested_documents: Vec<DocumentRequest>,
    pub nsc_submitted_on: Option<Day>,
    #[serde(default)]
    pub nsc_detailed_review_required: bool,
    pub nsc_responded_on: Option<Day>,
    pub invitation_decided_on: Option<Day>,
}

// ====================================================================== the decision

/// `enum IssuancePlace`, visa-schema.zan.
#[derive(serde::Serialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum IssuancePlace {
    ConsularDistrictOfCitizenship,
    ConsularDistrictOfResidenceCountry,
    VisaAndMigrationPortal,
    InKazakhstan,
    NotApplicable,
}

/// An amount in tenge, written as zan writes money: `{"amount": "4325.00", "currency": "KZT"}`
/// (at least two decimals).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Kzt(pub Decimal);

impl Serialize for Kzt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Amount(Decimal);
        impl Serialize for Amount {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut n = self.0.normalize();
                if n.scale() < 2 {
                    n.rescale(2);
                }
                s.collect_str(&n)
            }
        }
        let mut m = s.serialize_struct("Money", 2)?;
        m.serialize_field("amount", &Amount(self.0))?;
        m.serialize_field("currency", "KZT")?;
        m.end()
    }
}

/// One output of a decision: its value, or nothing in `outputs` — when the version of the
/// rulebook in force on the evaluation date has no such output, or when evaluating it failed
/// (the error is then in [`Decision::errors`]), as zan reports both.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output<T> {
    Value(T),
    NotInForce,
    Failed,
}

impl<T> Output<T> {
    fn is_missing(&self) -> bool {
        !matches!(self, Output::Value(_))
    }
}

impl<T: Serialize> Serialize for Output<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Output::Value(v) => v.serialize(s),
            // Skipped by `skip_serializing_if`; never reached from `Decision`.
            Output::NotInForce | Output::Failed => s.serialize_none(),
        }
    }
}

/// The outputs of [`OUTPUTS`], in the order zan lists them (its rules' order). `Option` inside is the rule's
/// optional type: `None` is written `null` (absent).
#[derive(serde::Serialize, Clone, Debug)]
pub struct Outputs {
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub fingerprint_registration_required: Output<bool>,
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub place_of_issuance: Output<IssuancePlace>,
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub nsc_approval_deadline: Output<Option<Day>>,
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub invitation_decision_deadline: Output<Option<Day>>,
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub invitation_state_duty: Output<Kzt>,
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub visa_procedure_state_duty: Output<Kzt>,
    #[serde(skip_serializing_if = "Output::is_missing")]
    pub passport_must_be_valid_until: Output<Option<Day>>,
}

/// An output that could not be evaluated, as zan's `{"output", "rule", "message"}`.
#[derive(serde::Serialize, Clone, Debug, PartialEq)]
pub struct OutputError {
    pub output: &'static str,
    pub rule: Option<&'static str>,
    pub message: String,
}

/// A decision of the same shape as zan's decision JSON restricted to [`OUTPUTS`]:
/// `{"rulebook", "as_of", "outputs": {...}, "errors"?: [...]}`.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Decision {
    pub rulebook: &'static str,
    pub as_of: Day,
    pub outputs: Outputs,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<OutputError>,
}

// ====================================================================== dated law

/// The 2026 joint order of the MFA and the MIA (amendments-2026.zan) is in force from this day.
const JOINT_ORDER_2026: Day = Day::ymd_const(2026, 3, 10);
/// Fingerprinting in Kazakhstan (visas.zan, from 1 January 2024).
const FINGERPRINTS_IN_KAZAKHSTAN: Day = Day::ymd_const(2024, 1, 1);
/// Fingerprinting at foreign missions, MFA order of 30.09.2025 (visas.zan, from 21 October 2025).
const FINGERPRINTS_AT_MISSIONS: Day = Day::ymd_const(2025, 10, 21);
/// The state duty table (visa-duties.zan) is in force from this day.
const DUTY_TABLE: Day = Day::ymd_const(2021, 1, 1);

/// The MCI in tenge (`parameter mci`, money.zan), from each date on.
const MCI: [(Day, i64); 8] = [
    (Day::ymd_const(2020, 1, 1), 2651),
    (Day::ymd_const(2020, 4, 1), 2778),
    (Day::ymd_const(2021, 1, 1), 2917),
    (Day::ymd_const(2022, 1, 1), 3063),
    (Day::ymd_const(2023, 1, 1), 3450),
    (Day::ymd_const(2024, 1, 1), 3692),
    (Day::ymd_const(2025, 1, 1), 3932),
    (Day::ymd_const(2026, 1, 1), 4325),
];

/// The MCI in force on `on`, or `None` before 2020.
fn mci(on: Day) -> Option<i64> {
    MCI.iter()
        .rev()
        .find(|&&(from, _)| from <= on)
        .map(|&(_, kzt)| kzt)
}

/// The state duty of each procedure, in MCI (`table visa_state_duty_mci`, visa-duties.zan;
/// the B8 multiple-entry "70 MCI" erratum read as 30).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum DutyProcedure {
    InvitationRegistration,
    MultipleEntryVisaIssuanceInKazakhstan,
    MultipleEntryVisaExtensionInKazakhstan,
    ExitVisaProcessing,
    B8SingleEntryVisaIssuance,
    B8MultipleEntryVisaIssuance,
    VisaFreeStayExtension,
}

impl DutyProcedure {
    fn mci(self) -> Decimal {
        match self {
            DutyProcedure::InvitationRegistration | DutyProcedure::ExitVisaProcessing => {
                Decimal::new(5, 1)
            }
            DutyProcedure::MultipleEntryVisaIssuanceInKazakhstan
            | DutyProcedure::MultipleEntryVisaExtensionInKazakhstan
            | DutyProcedure::B8MultipleEntryVisaIssuance => Decimal::new(30, 0),
            DutyProcedure::B8SingleEntryVisaIssuance | DutyProcedure::VisaFreeStayExtension => {
                Decimal::new(7, 0)
            }
        }
    }
}

// ====================================================================== the working-day calendar

/// First day of the precomputed calendar.
const CALENDAR_FIRST: Day = Day::ymd_const(2025, 1, 1);
/// Days covered: 2025-01-01 ..= 2027-12-31.
const CALENDAR_LEN: usize = 365 + 365 + 365;

/// Weekdays that are not working days in Kazakhstan, 2025–2027 (`calendar kazakhstan`,
/// calendar.zan): holidays on weekdays, the days off carried over from holidays that fall on a
/// weekend (to the next day not already off, holidays in date order), and the transfer of
/// 5 January 2025 to 3 January 2025. Orthodox Christmas and Kurban Ait are never carried over.
#[rustfmt::skip]
const DAYS_OFF: &[(i32, u32, u32)] = &[
    // 2025
    (2025, 1, 1), (2025, 1, 2),      // New Year
    (2025, 1, 3),                    // day off instead of Sun 5 Jan (Order No. 436)
    (2025, 1, 7),                    // Orthodox Christmas
    (2025, 3, 10),                   // Women's Day, Sat 8 Mar carried over
    (2025, 3, 21),                   // Nauryz (Fri)
    (2025, 3, 24), (2025, 3, 25),    // Nauryz Sat 22 and Sun 23 carried over
    (2025, 5, 1), (2025, 5, 7), (2025, 5, 9),
    (2025, 6, 6),                    // Kurban Ait
    (2025, 7, 7),                    // Capital Day, Sun 6 Jul carried over
    (2025, 9, 1),                    // Constitution Day (30 Aug, until 2025), Sat carried over
    (2025, 10, 27),                  // Republic Day, Sat 25 Oct carried over
    (2025, 12, 16),                  // Independence Day
    // 2026
    (2026, 1, 1), (2026, 1, 2), (2026, 1, 7),
    (2026, 3, 9),                    // Women's Day, Sun 8 Mar carried over
    (2026, 3, 23),                   // Nauryz (Mon)
    (2026, 3, 24), (2026, 3, 25),    // Nauryz Sat 21 and Sun 22 carried over
    (2026, 5, 1), (2026, 5, 7),
    (2026, 5, 11),                   // Victory Day, Sat 9 May carried over
    (2026, 5, 27),                   // Kurban Ait
    (2026, 7, 6),
    (2026, 10, 26),                  // Day of the Republic, Sun 25 Oct carried over
    (2026, 12, 16),
    // 2027
    (2027, 1, 1),
    (2027, 1, 4),                    // New Year, Sat 2 Jan carried over
    (2027, 1, 7),
    (2027, 3, 8),
    (2027, 3, 15),                   // Constitution Day (15 Mar, from 2027)
    (2027, 3, 22), (2027, 3, 23),    // Nauryz
    (2027, 3, 24),                   // Nauryz, Sun 21 Mar carried over
    (2027, 5, 3),                    // Unity Day, Sat 1 May carried over
    (2027, 5, 7),
    (2027, 5, 10),                   // Victory Day, Sun 9 May carried over (Kurban Ait, Sun 16 May: not carried)
    (2027, 7, 6),
    (2027, 10, 25),
    (2027, 12, 16),
];

/// Weekend days that are working days: Sunday 5 January 2025 (Order No. 436).
const WORKED_WEEKEND_DAYS: &[(i32, u32, u32)] = &[(2025, 1, 5)];

const CALENDAR_WORDS: usize = CALENDAR_LEN.div_ceil(64);

/// Non-working days of 2025–2027 as a bitset, bit `i` for `CALENDAR_FIRST + i`.
const NON_WORKING: [u64; CALENDAR_WORDS] = {
    const fn set(w: &mut [u64; CALENDAR_WORDS], d: Day, off: bool) {
        let i = (d.0 - CALENDAR_FIRST.0) as usize;
        if off {
            w[i / 64] |= 1 << (i % 64);
        } else {
            w[i / 64] &= !(1 << (i % 64));
        }
    }
    let mut w = [0u64; CALENDAR_WORDS];
    let mut i = 0;
    while i < CALENDAR_LEN {
        let d = Day(CALENDAR_FIRST.0 + i as i32);
        if d.weekday() >= 5 {
            set(&mut w, d, true);
        }
        i += 1;
    }
    let mut k = 0;
    while k < DAYS_OFF.len() {
        let (y, m, d) = DAYS_OFF[k];
        set(&mut w, Day::ymd_const(y, m, d), true);
        k += 1;
    }
    let mut k = 0;
    while k < WORKED_WEEKEND_DAYS.len() {
        let (y, m, d) = WORKED_WEEKEND_DAYS[k];
        set(&mut w, Day::ymd_const(y, m, d), false);
        k += 1;
    }
    w
};

/// Whether `d` is a working day; `None` outside 2025–2027.
pub fn is_working_day(d: Day) -> Option<bool> {
    let i = usize::try_from(d.0 - CALENDAR_FIRST.0)
        .ok()
        .filter(|&i| i < CALENDAR_LEN)?;
    Some(NON_WORKING[i / 64] >> (i % 64) & 1 == 0)
}

/// The `n`-th working day strictly after `d` (`d + n working days in kazakhstan`); `None` when
/// the count leaves the precomputed years.
fn add_working_days(d: Day, n: u32) -> Option<Day> {
    is_working_day(d)?;
    let (mut day, mut left) = (d, n);
    while left > 0 {
        day = day.plus_days(1);
        if is_working_day(day)? {
            left -= 1;
        }
    }
    Some(day)
}

// ====================================================================== the rules

/// `rule visa_service_operation` (visas.zan): a request to issue, restore or extend a visa.
fn visa_service_operation(app: Option<&Application>) -> bool {
    app.is_some_and(|a| {
        matches!(
            a.operation,
            VisaOperation::PrimaryIssuance | VisaOperation::Extension | VisaOperation::Restoration
        )
    })
}

/// `output rule passport_must_be_valid_until` (visas.zan): 3 months after the visa's last day.
fn passport_must_be_valid_until(
    app: Option<&Application>,
    errors: &mut Vec<OutputError>,
) -> Output<Option<Day>> {
    let Some(until) = app
        .filter(|_| visa_service_operation(app))
        .and_then(|a| a.visa_valid_until)
    else {
        return Output::Value(None);
    };
    match until.add_months(3) {
        Some(d) => Output::Value(Some(d)),
        None => {
            errors.push(OutputError {
                output: "passport_must_be_valid_until",
                rule: Some("passport_must_be_valid_until"),
                message: format!("{until} + 3 months is outside the years 0000..=9999"),
            });
            Output::Failed
        }
    }
}

/// `output rule fingerprint_registration_required` in each of its versions (visas.zan until
/// 2026-03-09, amendments-2026.zan from 2026-03-10) with the exceptions
/// `fingerprint_exemption_at_mission` (from 2025-10-21) and `e_visa_without_mission_visit`
/// (from 2026-03-10). `None`: the applicant's age was needed and the birth date is after the
/// evaluation date.
fn fingerprint_registration_required(case: &VisaCase, as_of: Day) -> Option<bool> {
    if as_of < FINGERPRINTS_IN_KAZAKHSTAN {
        return Some(false);
    }
    let app = case.application.as_ref();
    // `rule visa_applicant_age`, evaluated only where a condition reaches it.
    let adult = || Some(case.applicant.birth_date.age_on(as_of)? >= 16);
    let exempt_at_mission = as_of >= FINGERPRINTS_AT_MISSIONS
        && app.is_some_and(|a| {
            a.channel == Channel::ForeignMission
                && a.fingerprint_exemption != FingerprintExemption::NoExemption
        });
    if as_of >= JOINT_ORDER_2026 {
        let e_visa_without_mission_visit = app.is_some_and(|a| {
            a.visa_form == VisaForm::Electronic && a.channel != Channel::ForeignMission
        });
        if exempt_at_mission || e_visa_without_mission_visit {
            return Some(false);
        }
        return Some(visa_service_operation(app) && adult()?);
    }
    if exempt_at_mission {
        return Some(false);
    }
    // `rule visa_obtained_or_extended_in_kazakhstan`.
    let in_kazakhstan = app.is_some_and(|a| {
        a.channel == Channel::MigrationServiceInKazakhstan
            && matches!(
                a.operation,
                VisaOperation::PrimaryIssuance | VisaOperation::Extension
            )
    });
    if in_kazakhstan && adult()? {
        return Some(true);
    }
    if as_of >= FINGERPRINTS_AT_MISSIONS
        && visa_service_operation(app)
        && app.is_some_and(|a| a.channel == Channel::ForeignMission)
        && adult()?
    {
        return Some(true);
    }
    Some(false)
}

/// `rule visa_duty_procedure` (visa-duties.zan): the procedure of the duty table the visa request
/// is, if any.
fn visa_duty_procedure(app: Option<&Application>) -> Option<DutyProcedure> {
    let a = app?;
    if a.operation == VisaOperation::Cancellation {
        return Some(DutyProcedure::ExitVisaProcessing);
    }
    // `rule visa_requested_in_kazakhstan`.
    if a.visa_form != VisaForm::Sticker || a.channel != Channel::MigrationServiceInKazakhstan {
        return None;
    }
    let b8 = a.category == VisaCategory::B8;
    match (a.operation, a.entries) {
        (VisaOperation::PrimaryIssuance, Entries::Single) if b8 => {
            Some(DutyProcedure::B8SingleEntryVisaIssuance)
        }
        (VisaOperation::PrimaryIssuance, Entries::Multiple) if b8 => {
            Some(DutyProcedure::B8MultipleEntryVisaIssuance)
        }
        (VisaOperation::PrimaryIssuance, Entries::Multiple) => {
            Some(DutyProcedure::MultipleEntryVisaIssuanceInKazakhstan)
        }
        (VisaOperation::PrimaryIssuance, Entries::Single) if a.extends_visa_free_stay => {
            Some(DutyProcedure::VisaFreeStayExtension)
        }
        (VisaOperation::Extension, Entries::Multiple) => {
            Some(DutyProcedure::MultipleEntryVisaExtensionInKazakhstan)
        }
        _ => None,
    }
}

/// The permit allows the visa in the consular district of the country of residence
/// (`table permit_allows_issuance_in_residence_country`, amendments-2026.zan).
fn permit_allows_issuance_in_residence_country(kind: ForeignPermitKind) -> bool {
    !matches!(
        kind,
        ForeignPermitKind::LongTermOther | ForeignPermitKind::ShortTermStay
    )
}

/// `output rule place_of_issuance` with the exception `permit_abroad_place_of_issuance`
/// (amendments-2026.zan).
fn place_of_issuance(case: &VisaCase, as_of: Day) -> IssuancePlace {
    let Some(a) = case.application.as_ref() else {
        return IssuancePlace::NotApplicable;
    };
    match (a.visa_form, a.channel) {
        (VisaForm::Electronic, _) => IssuancePlace::VisaAndMigrationPortal,
        (VisaForm::Sticker, Channel::MigrationServiceInKazakhstan) => IssuancePlace::InKazakhstan,
        (VisaForm::Sticker, Channel::ForeignMission) => {
            let citizenship = case.applicant.citizenship;
            let district = a.mission.as_ref().map_or(&[][..], |m| &m.consular_district);
            // `rule mission_covers_citizenship` and `rule mission_covers_permit_country`.
            let covers_citizenship = district.contains(&citizenship);
            let covers_permit_country = || {
                case.applicant.permits_abroad.iter().any(|p| {
                    permit_allows_issuance_in_residence_country(p.kind)
                        && p.country != citizenship
                        && p.valid_until.unwrap_or(as_of) >= as_of
                        && district.contains(&p.country)
                })
            };
            if !covers_citizenship && covers_permit_country() {
                IssuancePlace::ConsularDistrictOfResidenceCountry
            } else {
                IssuancePlace::ConsularDistrictOfCitizenship
            }
        }
        (VisaForm::Sticker, _) => IssuancePlace::ConsularDistrictOfCitizenship,
    }
}

fn calendar_error(output: &'static str, from: Day) -> OutputError {
    OutputError {
        output,
        rule: Some(output),
        message: format!(
            "{from} + working days in kazakhstan leaves the precomputed years 2025..=2027"
        ),
    }
}

/// `output rule nsc_approval_deadline` with the exception `nsc_detailed_review`
/// (amendments-2026.zan): 3 working days, or 30 calendar days for a detailed review.
fn nsc_approval_deadline(case: &VisaCase, errors: &mut Vec<OutputError>) -> Output<Option<Day>> {
    let Some(sent) = case.nsc_submitted_on else {
        return Output::Value(None);
    };
    if case.nsc_detailed_review_required {
        return Output::Value(Some(sent.plus_days(30)));
    }
    match add_working_days(sent, 3) {
        Some(d) => Output::Value(Some(d)),
        None => {
            errors.push(calendar_error("nsc_approval_deadline", sent));
            Output::Failed
        }
    }
}

/// `output rule invitation_decision_deadline` (amendments-2026.zan): one working day after the
/// NSC's response.
fn invitation_decision_deadline(
    case: &VisaCase,
    errors: &mut Vec<OutputError>,
) -> Output<Option<Day>> {
    let Some(responded) = case.nsc_responded_on else {
        return Output::Value(None);
    };
    match add_working_days(responded, 1) {
        Some(d) => Output::Value(Some(d)),
        None => {
            errors.push(calendar_error("invitation_decision_deadline", responded));
            Output::Failed
        }
    }
}

/// The decision of the kz-visa rulebook for [`OUTPUTS`], on the case's `assessed_on` (the
/// rulebook's `as of`), with the version of each rule in force that day.
pub fn decide(case: &VisaCase) -> Decision {
    let as_of = case.assessed_on;
    let app = case.application.as_ref();
    let amended = as_of >= JOINT_ORDER_2026;
    let mut errors = Vec::new();

    let passport_must_be_valid_until = passport_must_be_valid_until(app, &mut errors);

    let fingerprint_registration_required = match fingerprint_registration_required(case, as_of) {
        Some(b) => Output::Value(b),
        None => {
            errors.push(OutputError {
                output: "fingerprint_registration_required",
                rule: Some("visa_applicant_age"),
                message: "the age is taken on a date before the birth date".into(),
            });
            Output::Failed
        }
    };

    // The duty rules are in force from 2021 (the MCI is known from 2020 on).
    let (invitation_state_duty, visa_procedure_state_duty) = match mci(as_of) {
        Some(mci) if as_of >= DUTY_TABLE => {
            let mci = Decimal::new(mci, 0);
            let duty = |p: Option<DutyProcedure>| Kzt(p.map_or(Decimal::ZERO, |p| p.mci() * mci));
            (
                Output::Value(duty(
                    case.invitation
                        .as_ref()
                        .map(|_| DutyProcedure::InvitationRegistration),
                )),
                Output::Value(duty(visa_duty_procedure(app))),
            )
        }
        _ => (Output::NotInForce, Output::NotInForce),
    };

    let (place_of_issuance, nsc_approval_deadline, invitation_decision_deadline) = if amended {
        (
            Output::Value(place_of_issuance(case, as_of)),
            nsc_approval_deadline(case, &mut errors),
            invitation_decision_deadline(case, &mut errors),
        )
    } else {
        (Output::NotInForce, Output::NotInForce, Output::NotInForce)
    };

    Decision {
        rulebook: RULEBOOK,
        as_of,
        outputs: Outputs {
            passport_must_be_valid_until,
            fingerprint_registration_required,
            invitation_state_duty,
            visa_procedure_state_duty,
            place_of_issuance,
            nsc_approval_deadline,
            invitation_decision_deadline,
        },
        errors,
    }
}

// ====================================================================== entry points for the bench

/// Parses a case; panics on a case that does not match the facts.
pub fn parse(text: &str) -> VisaCase {
    serde_json::from_str(text).expect("a kz-visa case")
}

/// The I/O floor: parses the whole case into the typed structs and serializes a decision of the
/// same shape with fixed values (no rules).
pub fn io_floor(text: &str) -> String {
    let case = parse(text);
    let day = Some(case.assessed_on);
    let zero = Kzt(Decimal::ZERO);
    let decision = Decision {
        rulebook: RULEBOOK,
        as_of: case.assessed_on,
        outputs: Outputs {
            passport_must_be_valid_until: Output::Value(day),
            fingerprint_registration_required: Output::Value(false),
            invitation_state_duty: Output::Value(zero),
            visa_procedure_state_duty: Output::Value(zero),
            place_of_issuance: Output::Value(IssuancePlace::ConsularDistrictOfCitizenship),
            nsc_approval_deadline: Output::Value(day),
            invitation_decision_deadline: Output::Value(day),
        },
        errors: Vec::new(),
    };
    serde_json::to_string(&decision).expect("decision JSON")
}

/// The hand-written decision end to end: case text → typed case → decision → JSON text.
pub fn baseline_json(text: &str) -> String {
    serde_json::to_string(&decide(&parse(text))).expect("decision JSON")
}

/// Whether the baseline agrees with zan on a case: `zan` is zan's decision JSON
/// (`output::decision_json`) for `case_json`. Compares the evaluation date and, for each of
/// [`OUTPUTS`], the value in `outputs` (or its absence) and the error reported for it in
/// `errors`. The message names the case, the output and both values.
pub fn agreement(zan: &Json, case_json: &str) -> Result<(), String> {
    let case: VisaCase = serde_json::from_str(case_json)
        .map_err(|e| format!("the baseline cannot read the case: {e}"))?;
    let ours = serde_json::to_value(decide(&case)).map_err(|e| e.to_string())?;
    let who = format!(
        "case {:?} assessed on {}",
        case.applicant.name.as_deref().unwrap_or(""),
        case.assessed_on
    );
    for key in ["rulebook", "as_of"] {
        if zan[key] != ours[key] {
            return Err(format!(
                "{who}: {key}: zan {} / baseline {}",
                zan[key], ours[key]
            ));
        }
    }
    let error_of = |d: &Json, name: &str| -> Json {
        d["errors"]
            .as_array()
            .and_then(|es| es.iter().find(|e| e["output"] == name))
            .cloned()
            .unwrap_or(Json::Null)
    };
    for &name in OUTPUTS {
        let (z, o) = (zan["outputs"].get(name), ours["outputs"].get(name));
        if z != o {
            let show = |v: Option<&Json>| v.map_or("(not in outputs)".into(), Json::to_string);
            return Err(format!(
                "{who}: output {name}: zan {} / baseline {}",
                show(z),
                show(o)
            ));
        }
        let (ze, oe) = (error_of(zan, name), error_of(&ours, name));
        if ze != oe {
            return Err(format!("{who}: error of {name}: zan {ze} / baseline {oe}"));
        }
    }
    Ok(())
}
