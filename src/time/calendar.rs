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

#[allow(clippy::unwrap_used)]
mod tests;
