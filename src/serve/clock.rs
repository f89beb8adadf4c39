//! Wall-clock times as RFC 3339 text in UTC (`2026-03-10T08:15:02.123Z`), for the decision log
//! and `loaded_at`.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn rfc3339(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i32::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        crate::time::date::format(days),
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_utc_with_milliseconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_773_130_502_123);
        assert_eq!(rfc3339(t), "2026-03-10T08:15:02.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
