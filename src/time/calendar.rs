//! Working-day calendars compiled from dated data.
//!
//! A [`CalendarSpec`] is plain data (weekend rules, holidays, transfers of
//! days off, extra working days), each possibly limited to the dates it is in
//! force. [`Calendar::compile`] turns it into a bitset of non-working days for
//! an inclusive range of years, so that working-day questions ("the 3rd
//! working day after ...") are answered with word operations.
//!
//! Semantics follow Kazakhstan law (Law "On holidays", art. 5; Labour Code
//! arts. 84–85):
//! - a day is non-working if it is a weekend day under the weekend rule in
//!   force that day, a holiday in force that day, the carried-over day of a
//!   holiday, or a transfer's `day_off`; a transfer's `instead_of` and every
//!   `working_days` entry are working days even if they are weekend days;
//! - a holiday with `carried_over` that falls on a weekend day (and that day
//!   is not designated a working day) gives a day off on the next day that is
//!   not already a day off; holidays are processed in date order so that
//!   several holidays on one weekend each get their own day; a holiday that
//!   falls on another holiday on a weekday is not carried, and holidays that
//!   coincide on one weekend day give one carried day between them.

use super::date::{self, Day};

/// Which weekdays are days off, Monday = index 0, within inclusive bounds.
/// Later rules in [`CalendarSpec::weekends`] override earlier ones for the
/// dates they cover.
#[derive(Clone, Debug, PartialEq)]
pub struct WeekendRule {
    pub days: [bool; 7],
    pub from: Option<Day>,
    pub until: Option<Day>,
}

/// A holiday in force between inclusive bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct HolidayRule {
    pub name: String,
    pub when: HolidayDate,
    /// Whether the day off moves to the next working day when the holiday
    /// falls on a weekend day.
    pub carried_over: bool,
    pub from: Option<Day>,
    pub until: Option<Day>,
}

/// When a holiday occurs.
#[derive(Clone, Debug, PartialEq)]
pub enum HolidayDate {
    /// Every year on this month and day (a 29 February holiday only occurs
    /// in leap years).
    Every { month: u32, day: u32 },
    /// On these dates only.
    On(Vec<Day>),
}

/// A transfer of a day off: `day_off` becomes a day off; `instead_of`
/// (normally a weekend day) becomes a working day.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    pub day_off: Day,
    pub instead_of: Option<Day>,
}

/// The source data of a working-day calendar.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CalendarSpec {
    pub weekends: Vec<WeekendRule>,
    pub holidays: Vec<HolidayRule>,
    pub transfers: Vec<Transfer>,
    pub working_days: Vec<Day>,
}

/// Why a day is not a working day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonWorking<'a> {
    Weekend,
    Holiday(&'a str),
    /// The day off carried over from the named holiday.
    CarriedOver(&'a str),
    Transfer,
}

/// A day outside the years a [`Calendar`] was compiled for.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfRange {
    pub day: Day,
    pub first_year: i32,
    pub last_year: i32,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("date ")?;
        date::write(self.day, f)?;
        write!(
            f,
            " is outside the calendar's years {}..={}",
            self.first_year, self.last_year
        )
    }
}

impl std::error::Error for OutOfRange {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    Holiday(u32),
    CarriedOver(u32),
    Transfer,
}

/// A working-day calendar compiled for an inclusive range of years.
#[derive(Clone, Debug)]
pub struct Calendar {
    first_year: i32,
    last_year: i32,
    /// First day of `first_year`.
    base: Day,
    /// Number of days covered (0 when the range is empty).
    len: usize,
    /// Bit `i` set = day `base + i` is non-working. Padding bits after
    /// `len` are set, so that scans for working days stop at the end.
    off: Vec<u64>,
    /// Non-working days with a reason other than a plain weekend, sorted.
    why: Vec<(Day, Why)>,
    names: Vec<String>,
}

/// A fixed-size bitset over `len` days starting at `base`.
struct Bits {
    base: i64,
    len: usize,
    words: Vec<u64>,
}

impl Bits {
    fn new(base: i64, len: usize) -> Bits {
        Bits {
            base,
            len,
            words: vec![0; len.div_ceil(64)],
        }
    }

    fn index(&self, d: Day) -> Option<usize> {
        let i = i64::from(d) - self.base;
        usize::try_from(i).ok().filter(|&i| i < self.len)
    }

    fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    fn set(&mut self, i: usize, value: bool) {
        if let Some(w) = self.words.get_mut(i / 64) {
            if value {
                *w |= 1 << (i % 64);
            } else {
                *w &= !(1 << (i % 64));
            }
        }
    }

    /// First index >= `from` whose bit is clear, if any within `len`.
    fn next_clear(&self, from: usize) -> Option<usize> {
        let mut k = from / 64;
        let mut mask = u64::MAX << (from % 64);
        while let Some(&w) = self.words.get(k) {
            let free = !w & mask;
            if free != 0 {
                let i = k * 64 + free.trailing_zeros() as usize;
                return (i < self.len).then_some(i);
            }
            k += 1;
            mask = u64::MAX;
        }
        None
    }

    /// Clipped index range of inclusive optional bounds.
    fn span(&self, from: Option<Day>, until: Option<Day>) -> Option<(usize, usize)> {
        let last = i64::try_from(self.len).ok()? - 1;
        let lo = from.map_or(0, |d| (i64::from(d) - self.base).max(0));
        let hi = until.map_or(last, |d| (i64::from(d) - self.base).min(last));
        if lo > hi {
            return None;
        }
        Some((usize::try_from(lo).ok()?, usize::try_from(hi).ok()?))
    }
}

/// Merges two lists sorted by day, keeping the first entry for each day
/// (entries of `a` before those of `b`).
fn merge_sorted(a: Vec<(Day, Why)>, b: Vec<(Day, Why)>) -> Vec<(Day, Why)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if y.0 < x.0 => b.next(),
            (Some(_), _) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        if let Some(entry) = next {
            if out.last().is_none_or(|&(d, _): &(Day, Why)| d != entry.0) {
                out.push(entry);
            }
        }
    }
    out
}

/// Mask of bits `lo..=hi` within one word (0 <= lo <= hi < 64).
fn word_mask(lo: usize, hi: usize) -> u64 {
    (u64::MAX << lo) & (u64::MAX >> (63 - hi))
}

/// Index of the `n`-th (0-based) set bit of `w`, counting from the lowest.
fn nth_set_low(mut w: u64, n: u32) -> usize {
    for _ in 0..n {
        w &= w.wrapping_sub(1);
    }
    w.trailing_zeros() as usize
}

/// Index of the `n`-th (0-based) set bit of `w`, counting from the highest.
fn nth_set_high(mut w: u64, n: u32) -> usize {
    for _ in 0..n {
        w &= !(1u64 << (63 - w.leading_zeros()));
    }
    63 - w.leading_zeros() as usize
}

impl Calendar {
    /// Compiles `spec` for the years `first_year..=last_year` (clamped to
    /// 0000..=9999; an empty range gives a calendar where every day is out
    /// of range). One year before the range is computed too, so that days
    /// carried over from late December into the range are included.
    pub fn compile(spec: &CalendarSpec, first_year: i32, last_year: i32) -> Calendar {
        let first_year = first_year.max(date::MIN_YEAR);
        let last_year = last_year.min(date::MAX_YEAR);
        let (Some(base), Some(end)) = (
            date::from_ymd(first_year, 1, 1),
            date::from_ymd(last_year, 12, 31),
        ) else {
            return Calendar::empty(first_year, last_year);
        };
        if end < base {
            return Calendar::empty(first_year, last_year);
        }
        let work_first_year = (first_year - 1).max(date::MIN_YEAR);
        let work_base = date::from_ymd(work_first_year, 1, 1).unwrap_or(base);
        let work_len = usize::try_from(i64::from(end) - i64::from(work_base) + 1).unwrap_or(0);
        let mut off = Bits::new(i64::from(work_base), work_len);

        // 1. Weekends, later rules overriding earlier ones on their span.
        let phase0 = date::weekday(work_base).index();
        for rule in &spec.weekends {
            let Some((lo, hi)) = off.span(rule.from, rule.until) else {
                continue;
            };
            let mut patterns = [0u64; 7];
            for (p, pattern) in patterns.iter_mut().enumerate() {
                for bit in 0..64 {
                    if rule.days[(p + bit) % 7] {
                        *pattern |= 1 << bit;
                    }
                }
            }
            for k in lo / 64..=hi / 64 {
                let a = if k == lo / 64 { lo % 64 } else { 0 };
                let b = if k == hi / 64 { hi % 64 } else { 63 };
                let mask = word_mask(a, b);
                // 64 = 1 (mod 7): each word starts one weekday later.
                let pattern = patterns[(phase0 + k) % 7];
                if let Some(w) = off.words.get_mut(k) {
                    *w = (*w & !mask) | (pattern & mask);
                }
            }
        }

        // 2. Designated working days.
        let working = spec
            .transfers
            .iter()
            .filter_map(|t| t.instead_of)
            .chain(spec.working_days.iter().copied());
        for d in working {
            if let Some(i) = off.index(d) {
                off.set(i, false);
            }
        }
        // A holiday "falls on a weekend" if its day is off at this point.
        let rest = Bits {
            base: off.base,
            len: off.len,
            words: off.words.clone(),
        };

        // 3. Holidays, generated year by year so they come out sorted.
        let mut dated: Vec<(Day, u32)> = Vec::new();
        for (h, rule) in (0u32..).zip(&spec.holidays) {
            if let HolidayDate::On(days) = &rule.when {
                dated.extend(days.iter().map(|&d| (d, h)));
            }
        }
        dated.sort_unstable();
        let in_force = |d: Day, h: u32| {
            spec.holidays.get(h as usize).is_some_and(|rule| {
                rule.from.is_none_or(|f| d >= f) && rule.until.is_none_or(|u| d <= u)
            })
        };
        let mut dated = dated
            .into_iter()
            .filter(|&(d, h)| off.index(d).is_some() && in_force(d, h))
            .peekable();
        let mut occurrences: Vec<(Day, u32)> = Vec::new();
        for year in work_first_year..=last_year {
            let year_start = occurrences.len();
            for (h, rule) in (0u32..).zip(&spec.holidays) {
                if let HolidayDate::Every { month, day } = rule.when {
                    if let Some(d) = date::from_ymd(year, month, day) {
                        if in_force(d, h) {
                            occurrences.push((d, h));
                        }
                    }
                }
            }
            while let Some(&(d, h)) = dated.peek() {
                if date::year_of(d) != year {
                    break;
                }
                occurrences.push((d, h));
                dated.next();
            }
            if let Some(this_year) = occurrences.get_mut(year_start..) {
                this_year.sort_unstable();
            }
        }
        occurrences.dedup();
        let mut holiday_why: Vec<(Day, Why)> = Vec::with_capacity(occurrences.len());
        for &(d, h) in &occurrences {
            if let Some(i) = off.index(d) {
                off.set(i, true);
                if d >= base && holiday_why.last().is_none_or(|&(last, _)| last != d) {
                    holiday_why.push((d, Why::Holiday(h)));
                }
            }
        }

        // 4. Transfers of days off.
        let mut transfer_why: Vec<(Day, Why)> = Vec::new();
        for t in &spec.transfers {
            if let Some(i) = off.index(t.day_off) {
                off.set(i, true);
                if t.day_off >= base {
                    transfer_why.push((t.day_off, Why::Transfer));
                }
            }
        }
        transfer_why.sort_unstable();

        // 5. Carry-overs, in date order; one carried day per weekend date.
        let mut carried_why: Vec<(Day, Why)> = Vec::new();
        let mut last_carried: Option<Day> = None;
        for &(d, h) in &occurrences {
            let carried = spec
                .holidays
                .get(h as usize)
                .is_some_and(|r| r.carried_over);
            if !carried || last_carried == Some(d) {
                continue;
            }
            let Some(i) = off.index(d) else { continue };
            if !rest.get(i) {
                continue;
            }
            last_carried = Some(d);
            if let Some(j) = off.next_clear(i + 1) {
                off.set(j, true);
                let target = i32::try_from(j - i).map_or(d, |delta| d + delta);
                if target >= base {
                    carried_why.push((target, Why::CarriedOver(h)));
                }
            }
        }
        // Targets only grow (each is the first free day after its holiday,
        // and every earlier target is no longer free); sort defensively.
        if !carried_why.is_sorted() {
            carried_why.sort_unstable();
        }
        // A carried day was free, so it never coincides with a holiday or
        // a transfer; a transfer on a holiday reports the holiday.
        let why = merge_sorted(merge_sorted(holiday_why, transfer_why), carried_why);

        // Keep the requested range only.
        let skip = usize::try_from(base - work_base).unwrap_or(0);
        let len = work_len.saturating_sub(skip);
        let mut words = vec![u64::MAX; len.div_ceil(64)];
        for (k, w) in words.iter_mut().enumerate() {
            let start = skip + k * 64;
            let (j, s) = (start / 64, start % 64);
            let lo = off.words.get(j).copied().unwrap_or(0);
            *w = if s == 0 {
                lo
            } else {
                let hi = off.words.get(j + 1).copied().unwrap_or(0);
                (lo >> s) | (hi << (64 - s))
            };
        }
        if len % 64 != 0 {
            if let Some(w) = words.last_mut() {
                *w |= u64::MAX << (len % 64);
            }
        }

        Calendar {
            first_year,
            last_year,
            base,
            len,
            off: words,
            why,
            names: spec.holidays.iter().map(|h| h.name.clone()).collect(),
        }
    }

    fn empty(first_year: i32, last_year: i32) -> Calendar {
        Calendar {
            first_year,
            last_year,
            base: 0,
            len: 0,
            off: Vec::new(),
            why: Vec::new(),
            names: Vec::new(),
        }
    }

    /// First year covered.
    pub fn first_year(&self) -> i32 {
        self.first_year
    }

    /// Last year covered.
    pub fn last_year(&self) -> i32 {
        self.last_year
    }

    fn out_of_range(&self, day: Day) -> OutOfRange {
        OutOfRange {
            day,
            first_year: self.first_year,
            last_year: self.last_year,
        }
    }

    fn index(&self, d: Day) -> Result<usize, OutOfRange> {
        let i = i64::from(d) - i64::from(self.base);
        usize::try_from(i)
            .ok()
            .filter(|&i| i < self.len)
            .ok_or_else(|| self.out_of_range(d))
    }

    fn day_at(&self, i: usize) -> Day {
        // i < len <= 10000 years of days: fits in i32.
        self.base + i as Day
    }

    fn is_off(&self, i: usize) -> bool {
        self.off.get(i / 64).is_none_or(|w| w >> (i % 64) & 1 == 1)
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: Day) -> Result<bool, OutOfRange> {
        let i = self.index(d)?;
        Ok(!self.is_off(i))
    }

    /// Why `d` is not a working day; `None` for working days and days out
    /// of range. A holiday on a weekend day reports the holiday.
    pub fn reason(&self, d: Day) -> Option<NonWorking<'_>> {
        let i = self.index(d).ok()?;
        if !self.is_off(i) {
            return None;
        }
        let name = |h: u32| self.names.get(h as usize).map_or("", String::as_str);
        Some(match self.why.binary_search_by_key(&d, |&(day, _)| day) {
            Ok(k) => match self.why.get(k).map(|&(_, w)| w) {
                Some(Why::Holiday(h)) => NonWorking::Holiday(name(h)),
                Some(Why::CarriedOver(h)) => NonWorking::CarriedOver(name(h)),
                Some(Why::Transfer) => NonWorking::Transfer,
                None => NonWorking::Weekend,
            },
            Err(_) => NonWorking::Weekend,
        })
    }

    /// For `n > 0`, the `n`-th working day strictly after `d`; for `n < 0`,
    /// the `|n|`-th working day strictly before `d`; `d` itself for `n == 0`.
    /// `d` must be in range, and so must the answer; otherwise the error
    /// names the first day outside the range that the count reached.
    pub fn add_working_days(&self, d: Day, n: i64) -> Result<Day, OutOfRange> {
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        let mut remaining = n.unsigned_abs();
        if n > 0 {
            let start = i + 1;
            let mut k = start / 64;
            let mut mask = if start % 64 == 0 {
                u64::MAX
            } else {
                u64::MAX << (start % 64)
            };
            while let Some(&w) = self.off.get(k) {
                let free = !w & mask;
                let count = u64::from(free.count_ones());
                if count >= remaining {
                    // remaining <= 64 here.
                    let bit = nth_set_low(free, (remaining - 1) as u32);
                    return Ok(self.day_at(k * 64 + bit));
                }
                remaining -= count;
                k += 1;
                mask = u64::MAX;
            }
            Err(self.out_of_range(self.day_at(self.len)))
        } else {
            let mut k = i / 64;
            let mut mask = if i % 64 == 0 {
                0
            } else {
                u64::MAX >> (64 - i % 64)
            };
            loop {
                let free = self.off.get(k).map_or(0, |&w| !w & mask);
                let count = u64::from(free.count_ones());
                if count >= remaining {
                    let bit = nth_set_high(free, (remaining - 1) as u32);
                    return Ok(self.day_at(k * 64 + bit));
                }
                remaining -= count;
                if k == 0 {
                    return Err(self.out_of_range(self.base - 1));
                }
                k -= 1;
                mask = u64::MAX;
            }
        }
    }

    /// Working days in `(a, b]` when `a <= b`, or minus the working days in
    /// `(b, a]` otherwise. Both days must be in range.
    pub fn working_days_between(&self, a: Day, b: Day) -> Result<i64, OutOfRange> {
        let ia = self.index(a)?;
        let ib = self.index(b)?;
        Ok(if ia <= ib {
            self.count_working(ia + 1, ib)
        } else {
            -self.count_working(ib + 1, ia)
        })
    }

    /// Working days among indices `lo..=hi` (0 when `lo > hi`).
    fn count_working(&self, lo: usize, hi: usize) -> i64 {
        if lo > hi {
            return 0;
        }
        let mut total = 0i64;
        for k in lo / 64..=hi / 64 {
            let a = if k == lo / 64 { lo % 64 } else { 0 };
            let b = if k == hi / 64 { hi % 64 } else { 63 };
            let w = self.off.get(k).copied().unwrap_or(u64::MAX);
            total += i64::from((!w & word_mask(a, b)).count_ones());
        }
        total
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
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
}
