//! Periods of stay and day counts over them.
//!
//! A [`Period`] is an inclusive range of days (a stay from entry day to exit
//! day, both counted). The functions here count the distinct days a person
//! was present, overlapping stays counting once, and answer "up to N days
//! within any M days" questions in O(k log k) for k stays, whatever the
//! stays' lengths.
//!
//! [`describe`] says in words when something is in force (a version, a provision, a
//! parameter's value): a range of days that may be open at either end.

use super::date::Day;

/// An inclusive range of days; empty when `end < start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: Day,
    pub end: Day,
}

/// Number of days in `p` (`end - start + 1`, 0 if `end < start`).
pub fn days(p: Period) -> i64 {
    (i64::from(p.end) - i64::from(p.start) + 1).max(0)
}

/// The non-empty stays sorted and merged into disjoint, non-adjacent
/// inclusive `(start, end)` ranges.
fn merge(stays: &[Period]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = stays
        .iter()
        .filter(|p| p.start <= p.end)
        .map(|p| (i64::from(p.start), i64::from(p.end)))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Days of the merged ranges inside the inclusive `[lo, hi]`.
fn overlap(merged: &[(i64, i64)], lo: i64, hi: i64) -> i64 {
    if hi < lo {
        return 0;
    }
    // Ranges are disjoint and sorted, so ends are sorted too.
    let first = merged.partition_point(|&(_, end)| end < lo);
    merged
        .get(first..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&(start, _)| start <= hi)
        .map(|&(start, end)| (end.min(hi) - start.max(lo) + 1).max(0))
        .sum()
}

/// Number of distinct days inside `window` on which the person was present.
pub fn days_present(stays: &[Period], window: Period) -> i64 {
    overlap(
        &merge(stays),
        i64::from(window.start),
        i64::from(window.end),
    )
}

/// Number of distinct days present in the `window_len` days ending on `end`
/// (the window `[end - window_len + 1, end]`); 0 if `window_len <= 0`.
pub fn days_present_in_window_ending(stays: &[Period], end: Day, window_len: i64) -> i64 {
    if window_len <= 0 {
        return 0;
    }
    let hi = i64::from(end);
    let lo = hi.saturating_sub(window_len - 1);
    overlap(&merge(stays), lo, hi)
}

/// The largest number of days present within any window of `window_len`
/// consecutive days; 0 if `window_len <= 0`.
///
/// Some optimal window ends on the last day of a (merged) stay: moving a
/// window's end forward through a stay gains a day for each day it loses,
/// and moving it back out of a gap loses nothing. So only those k ends are
/// tried, with a pointer to the first stay reaching into the window.
pub fn max_days_in_any_window(stays: &[Period], window_len: i64) -> i64 {
    if window_len <= 0 {
        return 0;
    }
    let merged = merge(stays);
    // prefix[i] = total days of merged[..i].
    let mut prefix = Vec::with_capacity(merged.len() + 1);
    let mut total = 0i64;
    prefix.push(total);
    for &(start, end) in &merged {
        total += end - start + 1;
        prefix.push(total);
    }
    let mut best = 0i64;
    let mut first = 0usize;
    for (j, &(_, end)) in merged.iter().enumerate() {
        let lo = end.saturating_sub(window_len - 1);
        while merged.get(first).is_some_and(|&(_, e)| e < lo) {
            first += 1;
        }
        let (Some(&upto), Some(&before)) = (prefix.get(j + 1), prefix.get(first)) else {
            continue;
        };
        let cut = merged.get(first).map_or(0, |&(s, _)| (lo - s).max(0));
        best = best.max(upto - before - cut);
    }
    best
}

/// When something is in force, for messages: "from 2026-03-10 until 2026-12-31",
/// "from 2026-03-10", "until 2026-12-31", or "always" when both ends are open.
pub fn describe(from: Option<Day>, until: Option<Day>) -> String {
    use super::date::format;
    match (from, until) {
        (Some(a), Some(b)) => format!("from {} until {}", format(a), format(b)),
        (Some(a), None) => format!("from {}", format(a)),
        (None, Some(b)) => format!("until {}", format(b)),
        (None, None) => "always".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::date::parse;
    use super::*;

    #[test]
    fn an_in_force_period_in_words_open_at_either_end() {
        let (a, b) = (parse("2026-03-10"), parse("2026-12-31"));
        assert_eq!(describe(a, b), "from 2026-03-10 until 2026-12-31");
        assert_eq!(describe(a, None), "from 2026-03-10");
        assert_eq!(describe(None, b), "until 2026-12-31");
        assert_eq!(describe(None, None), "always");
    }

    fn p(a: &str, b: &str) -> Period {
        Period {
            start: parse(a).unwrap(),
            end: parse(b).unwrap(),
        }
    }

    /// Per-day reference: mark each day present, then slide every window.
    fn brute_max(stays: &[Period], window_len: i64) -> i64 {
        let stays: Vec<Period> = stays.iter().copied().filter(|s| s.start <= s.end).collect();
        if window_len <= 0 || stays.is_empty() {
            return 0;
        }
        let lo = stays.iter().map(|s| i64::from(s.start)).min().unwrap() - window_len;
        let hi = stays.iter().map(|s| i64::from(s.end)).max().unwrap() + window_len;
        let mut present = vec![false; (hi - lo + 1) as usize];
        for s in &stays {
            for day in i64::from(s.start)..=i64::from(s.end) {
                present[(day - lo) as usize] = true;
            }
        }
        let w = window_len as usize;
        present
            .windows(w.min(present.len()))
            .map(|win| win.iter().filter(|&&x| x).count() as i64)
            .max()
            .unwrap()
    }

    #[test]
    fn period_days() {
        assert_eq!(days(p("2026-01-01", "2026-03-31")), 90);
        assert_eq!(days(p("2026-01-01", "2026-01-01")), 1);
        assert_eq!(days(p("2026-01-02", "2026-01-01")), 0);
        assert_eq!(
            days(Period {
                start: Day::MIN,
                end: Day::MAX
            }),
            1 << 32
        );
    }

    #[test]
    fn presence() {
        let stays = [
            p("2026-01-01", "2026-03-31"),
            p("2026-03-15", "2026-04-02"),
            p("2026-05-01", "2026-05-10"),
            p("2026-06-01", "2026-05-01"), // empty
        ];
        assert_eq!(days_present(&stays, p("2026-01-01", "2026-12-31")), 102);
        assert_eq!(days_present(&stays, p("2026-03-30", "2026-05-02")), 6);
        assert_eq!(days_present(&stays, p("2026-04-03", "2026-04-30")), 0);
        assert_eq!(days_present(&stays, p("2026-05-10", "2026-05-01")), 0);
        assert_eq!(days_present(&[], p("2026-01-01", "2026-12-31")), 0);
        let end = parse("2026-05-10").unwrap();
        assert_eq!(days_present_in_window_ending(&stays, end, 10), 10);
        assert_eq!(days_present_in_window_ending(&stays, end, 48), 20);
        assert_eq!(days_present_in_window_ending(&stays, end, 0), 0);
        assert_eq!(days_present_in_window_ending(&stays, end, -4), 0);
        assert_eq!(days_present_in_window_ending(&stays, end, i64::MAX), 102);
    }

    #[test]
    fn ninety_in_one_eighty() {
        let stays = [p("2026-01-01", "2026-03-31"), p("2026-05-01", "2026-05-10")];
        // 2026-05-10 is 129 days after 2026-01-01: a 130-day window holds all.
        assert_eq!(max_days_in_any_window(&stays, 180), 100);
        assert_eq!(max_days_in_any_window(&stays, 130), 100);
        assert_eq!(max_days_in_any_window(&stays, 129), 99);
        assert_eq!(max_days_in_any_window(&stays, 120), 90);
        assert_eq!(max_days_in_any_window(&stays, 90), 90);
        assert_eq!(max_days_in_any_window(&stays, 30), 30);
        assert_eq!(max_days_in_any_window(&stays, 1), 1);
        assert_eq!(max_days_in_any_window(&stays, 0), 0);
        assert_eq!(max_days_in_any_window(&stays, -180), 0);
        assert_eq!(max_days_in_any_window(&stays, i64::MAX), 100);
        assert_eq!(max_days_in_any_window(&[], 180), 0);
        let end = parse("2026-05-10").unwrap();
        assert_eq!(days_present_in_window_ending(&stays, end, 180), 100);
        // Window 2026-04-11..=2026-10-07 only holds the May stay.
        let end = parse("2026-10-07").unwrap();
        assert_eq!(days_present_in_window_ending(&stays, end, 180), 10);
        // Stays spanning years are not scanned day by day.
        let long = [p("0000-01-01", "9999-12-31")];
        assert_eq!(max_days_in_any_window(&long, 180), 180);
        assert_eq!(max_days_in_any_window(&long, i64::MAX), 3_652_425);
    }

    #[test]
    fn matches_brute_force() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % bound
        };
        for _ in 0..400 {
            let count = next(7) as usize;
            let stays: Vec<Period> = (0..count)
                .map(|_| {
                    let start = 20_000 + next(400) as Day;
                    let len = next(60) as Day - 3; // some empty stays
                    Period {
                        start,
                        end: start + len,
                    }
                })
                .collect();
            for window_len in [1, 2, 7, 30, 90, next(200) as i64 + 1, 180, 365] {
                assert_eq!(
                    max_days_in_any_window(&stays, window_len),
                    brute_max(&stays, window_len),
                    "{stays:?} {window_len}"
                );
            }
            let window = Period {
                start: 20_000 + next(400) as Day,
                end: 20_000 + next(400) as Day,
            };
            let expected = (window.start..=window.end)
                .filter(|&x| stays.iter().any(|s| s.start <= x && x <= s.end))
                .count() as i64;
            assert_eq!(days_present(&stays, window), expected);
        }
    }
}
