//! Calendar dates as day numbers.
//!
//! A [`Day`] is the number of days since 1970-01-01 in the proleptic
//! Gregorian calendar (1970-01-01 = 0, negative before). Only years
//! 0000..=9999 are supported: every constructor and every arithmetic
//! function returns `None` when its result would leave that range.

use std::fmt;

/// A calendar date: days since 1970-01-01 (proleptic Gregorian).
pub type Day = i32;

/// First supported year.
pub const MIN_YEAR: i32 = 0;
/// Last supported year.
pub const MAX_YEAR: i32 = 9999;
/// 0000-01-01.
pub const MIN_DAY: Day = -719_528;
/// 9999-12-31.
pub const MAX_DAY: Day = 2_932_896;

/// A day of the week.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// All weekdays, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// Position in the week, Monday = 0 .. Sunday = 6.
    pub fn index(self) -> usize {
        match self {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        }
    }

    /// The weekday for a lowercase English name (`"monday"` .. `"sunday"`).
    pub fn from_name(name: &str) -> Option<Weekday> {
        match name {
            "monday" => Some(Weekday::Monday),
            "tuesday" => Some(Weekday::Tuesday),
            "wednesday" => Some(Weekday::Wednesday),
            "thursday" => Some(Weekday::Thursday),
            "friday" => Some(Weekday::Friday),
            "saturday" => Some(Weekday::Saturday),
            "sunday" => Some(Weekday::Sunday),
            _ => None,
        }
    }

    /// The lowercase English name.
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1..=12) of `year`; 0 for an invalid month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a valid civil date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day number (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y, m as u32, d as u32)
}

/// Whether `d` lies within the supported years 0000..=9999.
pub fn in_range(d: i64) -> bool {
    (i64::from(MIN_DAY)..=i64::from(MAX_DAY)).contains(&d)
}

fn checked_day(d: i64) -> Option<Day> {
    if in_range(d) {
        Day::try_from(d).ok()
    } else {
        None
    }
}

/// The day number of a date, or `None` if the date is invalid or outside
/// years 0000..=9999.
pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    checked_day(days_from_civil(
        i64::from(year),
        i64::from(month),
        i64::from(day),
    ))
}

/// The (year, month, day) of a day number. Total: days outside the
/// supported range are still converted (proleptic Gregorian).
pub fn to_ymd(d: Day) -> (i32, u32, u32) {
    let (y, m, dd) = civil_from_days(i64::from(d));
    // |d| <= 2^31 days keeps the year far inside i32.
    (y as i32, m, dd)
}

/// The year of a day number.
pub fn year_of(d: Day) -> i32 {
    to_ymd(d).0
}

fn two_digits(s: &[u8]) -> Option<u32> {
    match s {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

/// Parses exactly `YYYY-MM-DD` (ASCII digits, zero padded).
pub fn parse(s: &str) -> Option<Day> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let hi = two_digits(&b[0..2])?;
    let lo = two_digits(&b[2..4])?;
    let year = i32::try_from(hi * 100 + lo).ok()?;
    let month = two_digits(&b[5..7])?;
    let day = two_digits(&b[8..10])?;
    from_ymd(year, month, day)
}

/// Writes `d` as `YYYY-MM-DD` without allocating. Years outside
/// 0000..=9999 are written with as many digits (and sign) as needed.
pub fn write(d: Day, f: &mut impl fmt::Write) -> fmt::Result {
    let (y, m, dd) = to_ymd(d);
    if (MIN_YEAR..=MAX_YEAR).contains(&y) {
        let y = y as u32;
        let digits = [
            y / 1000,
            y / 100 % 10,
            y / 10 % 10,
            y % 10,
            10,
            m / 10,
            m % 10,
            10,
            dd / 10,
            dd % 10,
        ];
        let mut buf = [0u8; 10];
        for (slot, digit) in buf.iter_mut().zip(digits) {
            *slot = if digit == 10 {
                b'-'
            } else {
                b'0' + digit as u8
            };
        }
        // Only ASCII digits and '-' were written.
        match std::str::from_utf8(&buf) {
            Ok(text) => f.write_str(text),
            Err(_) => Err(fmt::Error),
        }
    } else {
        write!(f, "{y:04}-{m:02}-{dd:02}")
    }
}

/// Formats `d` as `YYYY-MM-DD`.
pub fn format(d: Day) -> String {
    let mut s = String::with_capacity(10);
    // Writing into a String cannot fail.
    let _ = write(d, &mut s);
    s
}

/// The day of the week of `d`.
pub fn weekday(d: Day) -> Weekday {
    // 1970-01-01 was a Thursday (index 3).
    let i = (i64::from(d) + 3).rem_euclid(7) as usize;
    Weekday::ALL[i % 7]
}

/// `d` plus `n` days, or `None` if `d` or the result is out of range.
pub fn add_days(d: Day, n: i64) -> Option<Day> {
    if !in_range(i64::from(d)) {
        return None;
    }
    checked_day(i64::from(d).checked_add(n)?)
}

/// `d` plus `n` calendar months (negative `n` subtracts). The day of month
/// is kept, or clamped to the last day of the target month when that month
/// is shorter (2024-01-31 + 1 month = 2024-02-29).
pub fn add_months(d: Day, n: i64) -> Option<Day> {
    if !in_range(i64::from(d)) {
        return None;
    }
    let (y, m, dd) = to_ymd(d);
    let total = (i64::from(y) * 12 + i64::from(m) - 1).checked_add(n)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = (total.rem_euclid(12) + 1) as u32;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    from_ymd(year, month, dd.min(days_in_month(year, month)))
}

/// `d` plus `n` years (`add_months(d, 12 * n)`); 29 February becomes
/// 28 February in non-leap years.
pub fn add_years(d: Day, n: i64) -> Option<Day> {
    add_months(d, n.checked_mul(12)?)
}

/// Whole years of age completed on `on` by a person born on `birth`, or
/// `None` if `on` is before `birth` or either is out of range. A person born
/// on 29 February becomes a year older on 1 March in non-leap years.
pub fn age_in_years(birth: Day, on: Day) -> Option<i64> {
    if on < birth || !in_range(i64::from(birth)) || !in_range(i64::from(on)) {
        return None;
    }
    let (by, bm, bd) = to_ymd(birth);
    let (oy, om, od) = to_ymd(on);
    let years = i64::from(oy) - i64::from(by);
    Some(if (om, od) < (bm, bd) {
        years - 1
    } else {
        years
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        parse(s).unwrap()
    }

    #[test]
    fn epoch_and_bounds() {
        assert_eq!(from_ymd(1970, 1, 1), Some(0));
        assert_eq!(from_ymd(1969, 12, 31), Some(-1));
        assert_eq!(from_ymd(0, 1, 1), Some(MIN_DAY));
        assert_eq!(from_ymd(9999, 12, 31), Some(MAX_DAY));
        assert_eq!(from_ymd(-1, 12, 31), None);
        assert_eq!(from_ymd(10000, 1, 1), None);
        assert_eq!(from_ymd(2023, 2, 29), None);
        assert_eq!(
            from_ymd(2024, 2, 29).map(format).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(from_ymd(2024, 13, 1), None);
        assert_eq!(from_ymd(2024, 0, 1), None);
        assert_eq!(from_ymd(2024, 4, 31), None);
        assert_eq!(from_ymd(2024, 4, 0), None);
        assert_eq!(from_ymd(2000, 3, 1), Some(11_017));
    }

    #[test]
    fn round_trip_every_day() {
        let mut expected = (0, 1, 1);
        for day in MIN_DAY..=MAX_DAY {
            assert_eq!(to_ymd(day), expected);
            assert_eq!(from_ymd(expected.0, expected.1, expected.2), Some(day));
            let (y, m, dd) = expected;
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
        assert_eq!(expected, (10000, 1, 1));
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(format(d("2026-03-21")), "2026-03-21");
        assert_eq!(format(MIN_DAY), "0000-01-01");
        assert_eq!(format(MAX_DAY), "9999-12-31");
        assert_eq!(format(0), "1970-01-01");
        for bad in [
            "2026-3-21",
            "2026-03-1",
            "26-03-21",
            "2026/03/21",
            "2026-03-21 ",
            " 2026-03-21",
            "2026-02-30",
            "2026-00-10",
            "+026-03-21",
            "2026-0a-21",
            "",
            "２０２６-03-21",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let mut s = String::new();
        write(d("0042-07-04"), &mut s).unwrap();
        assert_eq!(s, "0042-07-04");
        assert_eq!(format(MAX_DAY + 1), "10000-01-01");
        assert_eq!(format(MIN_DAY - 1), "-001-12-31");
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday(0), Weekday::Thursday);
        assert_eq!(weekday(-1), Weekday::Wednesday);
        assert_eq!(weekday(d("2026-03-21")), Weekday::Saturday);
        assert_eq!(weekday(d("2025-01-05")), Weekday::Sunday);
        assert_eq!(weekday(d("2000-01-03")), Weekday::Monday);
        assert_eq!(weekday(MIN_DAY), Weekday::Saturday);
        for w in Weekday::ALL {
            assert_eq!(Weekday::from_name(w.name()), Some(w));
            assert_eq!(Weekday::ALL[w.index()], w);
        }
        assert_eq!(Weekday::from_name("Monday"), None);
        assert_eq!(Weekday::Monday.index(), 0);
        assert_eq!(Weekday::Sunday.index(), 6);
    }

    #[test]
    fn day_arithmetic() {
        assert_eq!(add_days(d("2024-02-28"), 1), Some(d("2024-02-29")));
        assert_eq!(add_days(d("2024-03-01"), -1), Some(d("2024-02-29")));
        assert_eq!(add_days(MAX_DAY, 1), None);
        assert_eq!(add_days(MIN_DAY, -1), None);
        assert_eq!(add_days(0, i64::MAX), None);
        assert_eq!(add_days(0, i64::MIN), None);
        assert_eq!(add_days(MAX_DAY + 5, -10), None);
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(add_months(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2023-01-31"), 1), Some(d("2023-02-28")));
        assert_eq!(add_months(d("2024-02-29"), 12), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-03-31"), -1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2024-01-15"), -1), Some(d("2023-12-15")));
        assert_eq!(add_months(d("2024-05-31"), -13), Some(d("2023-04-30")));
        assert_eq!(add_months(d("2024-12-31"), 0), Some(d("2024-12-31")));
        assert_eq!(add_months(d("9999-12-01"), 1), None);
        assert_eq!(add_months(d("0000-01-31"), -1), None);
        assert_eq!(add_months(0, i64::MAX), None);
        assert_eq!(add_months(0, i64::MIN), None);
        assert_eq!(add_years(d("2024-02-29"), 1), Some(d("2025-02-28")));
        assert_eq!(add_years(d("2024-02-29"), 4), Some(d("2028-02-29")));
        assert_eq!(add_years(d("2024-02-29"), -1), Some(d("2023-02-28")));
        assert_eq!(add_years(0, i64::MAX), None);
    }

    #[test]
    fn ages() {
        let b = d("2000-02-29");
        assert_eq!(age_in_years(b, b), Some(0));
        assert_eq!(age_in_years(b, d("2001-02-28")), Some(0));
        assert_eq!(age_in_years(b, d("2001-03-01")), Some(1));
        assert_eq!(age_in_years(b, d("2004-02-28")), Some(3));
        assert_eq!(age_in_years(b, d("2004-02-29")), Some(4));
        assert_eq!(age_in_years(b, d("1999-01-01")), None);
        let b = d("1990-06-15");
        assert_eq!(age_in_years(b, d("2008-06-14")), Some(17));
        assert_eq!(age_in_years(b, d("2008-06-15")), Some(18));
        assert_eq!(age_in_years(b, d("2008-12-31")), Some(18));
    }

    #[test]
    fn years_and_months() {
        assert!(is_leap(2000));
        assert!(!is_leap(1900));
        assert!(is_leap(2024));
        assert!(!is_leap(2025));
        assert!(is_leap(0));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2024, 13), 0);
        assert_eq!(year_of(d("2026-12-31")), 2026);
        assert_eq!(year_of(-1), 1969);
    }
}
