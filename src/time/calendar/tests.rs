//! Tests of compiled calendars: working days, transfers, ranges and the years compiled.
#![cfg(test)]

use super::super::date::{parse, weekday, Weekday};
use super::*;

fn d(s: &str) -> Day {
    parse(s).unwrap()
}

fn every(name: &str, month: u32, day: u32, carried: bool) -> HolidayRule {
    HolidayRule {
        name: name.to_string(),
        when: HolidayDate::Every { month, day },
        carried_over: carried,
        from: None,
        until: None,
    }
}

const SAT_SUN: [bool; 7] = [false, false, false, false, false, true, true];

/// Kazakhstan, five-day week, per domain-facts.md section 2.
fn kazakhstan() -> CalendarSpec {
    let mut holidays = vec![
        every("New Year", 1, 1, true),
        every("New Year", 1, 2, true),
        every("Orthodox Christmas", 1, 7, false),
        every("International Women's Day", 3, 8, true),
        every("Nauryz", 3, 21, true),
        every("Nauryz", 3, 22, true),
        every("Nauryz", 3, 23, true),
        every("Unity Day", 5, 1, true),
        every("Defender of the Fatherland Day", 5, 7, true),
        every("Victory Day", 5, 9, true),
        every("Capital Day", 7, 6, true),
        HolidayRule {
            until: Some(d("2025-12-31")),
            ..every("Constitution Day", 8, 30, true)
        },
        HolidayRule {
            from: Some(d("2027-01-01")),
            ..every("Constitution Day", 3, 15, true)
        },
        every("Republic Day", 10, 25, true),
        every("Independence Day", 12, 16, true),
    ];
    holidays.push(HolidayRule {
        name: "Kurban Ait".to_string(),
        when: HolidayDate::On(vec![d("2025-06-06"), d("2026-05-27"), d("2027-05-16")]),
        carried_over: false,
        from: None,
        until: None,
    });
    CalendarSpec {
        weekends: vec![WeekendRule {
            days: SAT_SUN,
            from: None,
            until: None,
        }],
        holidays,
        transfers: vec![Transfer {
            day_off: d("2025-01-03"),
            instead_of: Some(d("2025-01-05")),
        }],
        working_days: Vec::new(),
    }
}

fn is_weekend(day: Day) -> bool {
    matches!(weekday(day), Weekday::Saturday | Weekday::Sunday)
}

/// (weekdays off, weekend days worked) in `year`.
fn exceptions(cal: &Calendar, year: i32) -> (Vec<String>, Vec<String>) {
    let mut off = Vec::new();
    let mut worked = Vec::new();
    let first = date::from_ymd(year, 1, 1).unwrap();
    let last = date::from_ymd(year, 12, 31).unwrap();
    for day in first..=last {
        let working = cal.is_working_day(day).unwrap();
        if is_weekend(day) && working {
            worked.push(date::format(day));
        }
        if !is_weekend(day) && !working {
            off.push(date::format(day));
        }
    }
    (off, worked)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn kazakhstan_2025() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    let (off, worked) = exceptions(&cal, 2025);
    assert_eq!(
        off,
        strings(&[
            "2025-01-01",
            "2025-01-02",
            "2025-01-03",
            "2025-01-07",
            "2025-03-10",
            "2025-03-21",
            "2025-03-24",
            "2025-03-25",
            "2025-05-01",
            "2025-05-07",
            "2025-05-09",
            "2025-06-06",
            "2025-07-07",
            "2025-09-01",
            "2025-10-27",
            "2025-12-16",
        ])
    );
    assert_eq!(worked, strings(&["2025-01-05"]));
    assert_eq!(cal.is_working_day(d("2025-05-08")), Ok(true));
}

#[test]
fn kazakhstan_2026() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    let (off, worked) = exceptions(&cal, 2026);
    assert_eq!(
        off,
        strings(&[
            "2026-01-01",
            "2026-01-02",
            "2026-01-07",
            "2026-03-09",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-05-01",
            "2026-05-07",
            "2026-05-11",
            "2026-05-27",
            "2026-07-06",
            "2026-10-26",
            "2026-12-16",
        ])
    );
    assert!(worked.is_empty());
    assert_eq!(cal.is_working_day(d("2026-08-31")), Ok(true));
}

#[test]
fn kazakhstan_2027() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    let (off, worked) = exceptions(&cal, 2027);
    assert_eq!(
        off,
        strings(&[
            "2027-01-01",
            "2027-01-04",
            "2027-01-07",
            "2027-03-08",
            "2027-03-15",
            "2027-03-22",
            "2027-03-23",
            "2027-03-24",
            "2027-05-03",
            "2027-05-07",
            "2027-05-10",
            "2027-07-06",
            "2027-10-25",
            "2027-12-16",
        ])
    );
    assert!(worked.is_empty());
    // Kurban Ait 2027 falls on a Sunday and is not carried.
    assert_eq!(cal.is_working_day(d("2027-05-17")), Ok(true));
}

#[test]
fn reasons() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    assert_eq!(
        cal.reason(d("2026-03-21")),
        Some(NonWorking::Holiday("Nauryz"))
    );
    assert_eq!(
        cal.reason(d("2026-03-24")),
        Some(NonWorking::CarriedOver("Nauryz"))
    );
    assert_eq!(
        cal.reason(d("2025-09-01")),
        Some(NonWorking::CarriedOver("Constitution Day"))
    );
    assert_eq!(cal.reason(d("2025-01-03")), Some(NonWorking::Transfer));
    assert_eq!(cal.reason(d("2025-01-05")), None);
    assert_eq!(cal.reason(d("2025-01-04")), Some(NonWorking::Weekend));
    assert_eq!(
        cal.reason(d("2027-05-16")),
        Some(NonWorking::Holiday("Kurban Ait"))
    );
    assert_eq!(cal.reason(d("2026-03-26")), None);
    assert_eq!(cal.reason(d("2024-12-31")), None);
    assert_eq!(cal.reason(d("2028-01-01")), None);
}

#[test]
fn working_day_arithmetic() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    // 21-22 weekend, 23-25 off: 26 (1), 27 (2), 28-29 weekend, 30 (3).
    assert_eq!(
        cal.add_working_days(d("2026-03-20"), 1),
        Ok(d("2026-03-26"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-03-20"), 2),
        Ok(d("2026-03-27"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-03-20"), 3),
        Ok(d("2026-03-30"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-03-30"), -3),
        Ok(d("2026-03-20"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-03-21"), 0),
        Ok(d("2026-03-21"))
    );
    // From a day off, that day is not counted either way.
    assert_eq!(
        cal.add_working_days(d("2026-03-23"), 1),
        Ok(d("2026-03-26"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-03-23"), -1),
        Ok(d("2026-03-20"))
    );
    // Sunday 5 Jan 2025 is a working day.
    assert!(cal.add_working_days(d("2024-12-31"), 1).is_err());
    assert_eq!(
        cal.add_working_days(d("2025-01-01"), 1),
        Ok(d("2025-01-05"))
    );
    assert_eq!(
        cal.add_working_days(d("2025-01-05"), 1),
        Ok(d("2025-01-06"))
    );
    assert_eq!(
        cal.add_working_days(d("2025-01-06"), -1),
        Ok(d("2025-01-05"))
    );
    // New Year 2027: Fri 1 off, Sat 2 carried to Mon 4.
    assert_eq!(
        cal.add_working_days(d("2026-12-31"), 1),
        Ok(d("2027-01-05"))
    );
    assert_eq!(
        cal.add_working_days(d("2027-01-05"), -1),
        Ok(d("2026-12-31"))
    );
    assert_eq!(
        cal.working_days_between(d("2026-03-20"), d("2026-03-30")),
        Ok(3)
    );
    assert_eq!(
        cal.working_days_between(d("2026-03-30"), d("2026-03-20")),
        Ok(-3)
    );
    assert_eq!(
        cal.working_days_between(d("2026-03-20"), d("2026-03-20")),
        Ok(0)
    );
    // 2025 has 246 working days (pobipb.kz); 1 January is a holiday.
    assert_eq!(
        cal.working_days_between(d("2025-01-01"), d("2025-12-31")),
        Ok(246)
    );
    let total: i64 = (2025..=2027)
        .map(|y| {
            let first = date::from_ymd(y, 1, 1).unwrap();
            let last = date::from_ymd(y, 12, 31).unwrap();
            (first..=last)
                .filter(|&x| cal.is_working_day(x).unwrap())
                .count() as i64
        })
        .sum();
    assert_eq!(
        cal.working_days_between(d("2025-01-01"), d("2027-12-31")),
        Ok(total)
    );
    // 2025-01-01 is a holiday, so excluding it loses nothing.
    assert_eq!(
        cal.add_working_days(d("2025-01-01"), total),
        Ok(d("2027-12-31"))
    );
    assert_eq!(
        cal.add_working_days(d("2027-12-31"), -(total - 1)),
        Ok(d("2025-01-05"))
    );
}

#[test]
fn brute_force_agreement() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    let first = d("2025-01-01");
    let last = d("2027-12-31");
    let working: Vec<Day> = (first..=last)
        .filter(|&x| cal.is_working_day(x).unwrap())
        .collect();
    for start in (first..=last).step_by(7) {
        for n in [1i64, 2, 3, 5, 10, 30, 63, 64, 65, 100, 200, 500] {
            let after: Vec<Day> = working.iter().copied().filter(|&w| w > start).collect();
            let expected = after.get(n as usize - 1).copied();
            assert_eq!(cal.add_working_days(start, n).ok(), expected);
            let before: Vec<Day> = working.iter().copied().filter(|&w| w < start).collect();
            let expected = before.len().checked_sub(n as usize).map(|k| before[k]);
            assert_eq!(cal.add_working_days(start, -n).ok(), expected);
        }
        for end in [
            start,
            start + 1,
            start + 63,
            start + 64,
            start + 65,
            start + 400,
        ] {
            if end > last {
                continue;
            }
            let expected = working.iter().filter(|&&w| w > start && w <= end).count() as i64;
            assert_eq!(cal.working_days_between(start, end), Ok(expected));
            assert_eq!(cal.working_days_between(end, start), Ok(-expected));
        }
    }
}

#[test]
fn out_of_range() {
    let cal = Calendar::compile(&kazakhstan(), 2025, 2027);
    let err = |day: &str| OutOfRange {
        day: d(day),
        first_year: 2025,
        last_year: 2027,
    };
    assert_eq!(cal.is_working_day(d("2024-12-31")), Err(err("2024-12-31")));
    assert_eq!(cal.is_working_day(d("2028-01-01")), Err(err("2028-01-01")));
    assert_eq!(
        cal.add_working_days(d("2028-01-01"), 0),
        Err(err("2028-01-01"))
    );
    assert_eq!(
        cal.add_working_days(d("2027-12-31"), 1),
        Err(err("2028-01-01"))
    );
    assert_eq!(
        cal.add_working_days(d("2025-01-06"), -2),
        Err(err("2024-12-31"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-06-01"), i64::MAX),
        Err(err("2028-01-01"))
    );
    assert_eq!(
        cal.add_working_days(d("2026-06-01"), i64::MIN),
        Err(err("2024-12-31"))
    );
    assert_eq!(
        cal.working_days_between(d("2025-01-01"), d("2028-01-01")),
        Err(err("2028-01-01"))
    );
    assert_eq!(
        err("2028-01-01").to_string(),
        "date 2028-01-01 is outside the calendar's years 2025..=2027"
    );
    let empty = Calendar::compile(&kazakhstan(), 2027, 2025);
    assert!(empty.is_working_day(d("2026-01-01")).is_err());
    assert!(empty.add_working_days(d("2026-01-01"), 1).is_err());
    assert_eq!(empty.reason(d("2026-01-01")), None);
    let clamped = Calendar::compile(&kazakhstan(), -5, 20_000);
    assert_eq!(clamped.first_year(), 0);
    assert_eq!(clamped.last_year(), 9999);
    assert_eq!(clamped.is_working_day(date::MAX_DAY), Ok(true));
    assert_eq!(clamped.is_working_day(date::MIN_DAY), Ok(false));
    assert!(clamped.add_working_days(date::MAX_DAY, 1).is_err());
    assert!(clamped.add_working_days(date::MIN_DAY, -1).is_err());
}

#[test]
fn carry_over_across_year_boundary() {
    // 31 Dec 2022 was a Saturday: carried to Mon 2 Jan 2023, even when
    // the calendar starts in 2023.
    let spec = CalendarSpec {
        holidays: vec![every("Year End", 12, 31, true)],
        ..kazakhstan()
    };
    let cal = Calendar::compile(&spec, 2023, 2023);
    assert_eq!(
        cal.reason(d("2023-01-02")),
        Some(NonWorking::CarriedOver("Year End"))
    );
    let cal = Calendar::compile(&spec, 2022, 2023);
    assert_eq!(
        cal.reason(d("2022-12-31")),
        Some(NonWorking::Holiday("Year End"))
    );
    assert_eq!(
        cal.reason(d("2023-01-02")),
        Some(NonWorking::CarriedOver("Year End"))
    );
}

#[test]
fn overlapping_rules() {
    let spec = CalendarSpec {
        weekends: vec![
            WeekendRule {
                days: SAT_SUN,
                from: None,
                until: None,
            },
            // Six-day week in 2026 only.
            WeekendRule {
                days: [false, false, false, false, false, false, true],
                from: Some(d("2026-01-01")),
                until: Some(d("2026-12-31")),
            },
        ],
        holidays: vec![
            every("A", 6, 10, true),
            every("B", 6, 10, true),
            HolidayRule {
                when: HolidayDate::On(vec![d("2026-06-12")]),
                ..every("C", 1, 1, true)
            },
            every("D", 6, 12, true),
        ],
        transfers: Vec::new(),
        working_days: vec![d("2025-06-14")],
    };
    let cal = Calendar::compile(&spec, 2025, 2027);
    assert_eq!(cal.is_working_day(d("2025-12-27")), Ok(false)); // Sat
    assert_eq!(cal.is_working_day(d("2026-01-03")), Ok(true)); // Sat, six-day
    assert_eq!(cal.is_working_day(d("2026-01-04")), Ok(false)); // Sun
    assert_eq!(cal.is_working_day(d("2027-01-02")), Ok(false)); // Sat
                                                                // 2026-06-10 is a Wednesday holiday shared by A and B: not carried.
    assert_eq!(cal.reason(d("2026-06-10")), Some(NonWorking::Holiday("A")));
    assert_eq!(cal.is_working_day(d("2026-06-11")), Ok(true));
    // 2027-06-10 is a Thursday: not carried.
    assert_eq!(cal.is_working_day(d("2027-06-11")), Ok(true));
    // 2026-06-12 (Fri) C and D coincide on a weekday: not carried.
    assert_eq!(cal.is_working_day(d("2026-06-13")), Ok(true));
    // 2027-06-12 is a Saturday: D carried to Mon 14.
    assert_eq!(
        cal.reason(d("2027-06-14")),
        Some(NonWorking::CarriedOver("D"))
    );
    // Saturday 14 June 2025 is a designated working day.
    assert_eq!(cal.is_working_day(d("2025-06-14")), Ok(true));
}

#[test]
fn compile_speed_sanity() {
    let spec = kazakhstan();
    let start = std::time::Instant::now();
    let cal = Calendar::compile(&spec, 1900, 2200);
    let elapsed = start.elapsed();
    let again = std::time::Instant::now();
    for _ in 0..100 {
        std::hint::black_box(Calendar::compile(&spec, 1900, 2200));
    }
    let average = again.elapsed() / 100;
    eprintln!("compile 1900..=2200: first {elapsed:?}, average {average:?}");
    assert_eq!(cal.is_working_day(d("2026-03-26")), Ok(true));
    assert_eq!(cal.is_working_day(d("2200-12-16")), Ok(false));
}
