//! Calendar time for rules: dates as day numbers, working-day calendars
//! compiled from dated holiday data, and periods of stay.
//!
//! - [`date`]: the [`date::Day`] representation (days since 1970-01-01) and
//!   Gregorian arithmetic (months, years, ages, weekdays).
//! - [`calendar`]: working-day calendars (weekends, holidays, carry-overs,
//!   transfers) compiled into a bitset for fast working-day arithmetic.
//! - [`period`]: inclusive periods of stay and "N days within any M" counts.

pub mod calendar;
pub mod date;
pub mod period;
