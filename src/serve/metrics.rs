//! The service's counters and histograms, and their Prometheus text exposition (format 0.0.4),
//! written by hand: names and labels as `docs/serve.md` lists them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The upper bounds of every histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Observations at most each bound (not cumulative; summed when written).
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }
}

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Tables {
    requests: BTreeMap<Labels, u64>,
    request_durations: BTreeMap<Labels, Histogram>,
    decisions: BTreeMap<Labels, u64>,
    decision_errors: BTreeMap<Labels, u64>,
    decision_durations: BTreeMap<Labels, Histogram>,
    reloads: BTreeMap<Labels, u64>,
}

#[derive(Default)]
pub struct Metrics {
    in_flight: AtomicI64,
    tables: Mutex<Tables>,
}

/// A rulebook served now, for `zan_rulebook_info`.
pub struct Info<'a> {
    pub rulebook: &'a str,
    pub hash: &'a str,
    pub loaded_at: &'a str,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Tables) -> R) -> R {
        f(&mut self.tables.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub fn request_done(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.with(|t| {
            let key = vec![
                ("route", route.to_string()),
                ("method", method.to_string()),
                ("status", status.to_string()),
            ];
            *t.requests.entry(key).or_default() += 1;
            t.request_durations
                .entry(vec![("route", route.to_string())])
                .or_default()
                .observe(took.as_secs_f64());
        });
    }

    pub fn decided(&self, rulebook: &str, version: &str, hash: &str, took: Duration) {
        self.with(|t| {
            let key = vec![
                ("rulebook", rulebook.to_string()),
                ("version", version.to_string()),
                ("hash", hash.to_string()),
            ];
            *t.decisions.entry(key).or_default() += 1;
            let key = vec![
                ("rulebook", rulebook.to_string()),
                ("version", version.to_string()),
            ];
            t.decision_durations
                .entry(key)
                .or_default()
                .observe(took.as_secs_f64());
        });
    }

    pub fn decision_error(&self, rulebook: &str, kind: &str) {
        self.with(|t| {
            let key = vec![
                ("rulebook", rulebook.to_string()),
                ("kind", kind.to_string()),
            ];
            *t.decision_errors.entry(key).or_default() += 1;
        });
    }

    pub fn reloaded(&self, rulebook: &str, ok: bool) {
        self.with(|t| {
            let result = if ok { "ok" } else { "error" };
            let key = vec![
                ("rulebook", rulebook.to_string()),
                ("result", result.to_string()),
            ];
            *t.reloads.entry(key).or_default() += 1;
        });
    }

    /// The text exposition of every metric.
    pub fn render(&self, served: &[Info]) -> String {
        let mut out = String::new();
        self.with(|t| {
            counter(
                &mut out,
                "zan_http_requests_total",
                "HTTP requests answered.",
                &t.requests,
            );
            histogram(
                &mut out,
                "zan_http_request_duration_seconds",
                "Time to answer an HTTP request (to its headers for a stream).",
                &t.request_durations,
            );
            counter(
                &mut out,
                "zan_decisions_total",
                "Decisions returned.",
                &t.decisions,
            );
            counter(
                &mut out,
                "zan_decision_errors_total",
                "Cases not decided, by kind of error.",
                &t.decision_errors,
            );
            histogram(
                &mut out,
                "zan_decision_duration_seconds",
                "Time to read and decide one case.",
                &t.decision_durations,
            );
            counter(
                &mut out,
                "zan_rulebook_reloads_total",
                "Reloads of a rulebook's changed files.",
                &t.reloads,
            );
        });
        let _ = writeln!(
            out,
            "# HELP zan_rulebook_info The version of each rulebook served."
        );
        let _ = writeln!(out, "# TYPE zan_rulebook_info gauge");
        for s in served {
            let labels = vec![
                ("rulebook", s.rulebook.to_string()),
                ("hash", s.hash.to_string()),
                ("loaded_at", s.loaded_at.to_string()),
            ];
            let _ = writeln!(out, "zan_rulebook_info{} 1", label_text(&labels));
        }
        let _ = writeln!(
            out,
            "# HELP zan_in_flight_requests HTTP requests being answered."
        );
        let _ = writeln!(out, "# TYPE zan_in_flight_requests gauge");
        let n = self.in_flight.load(Ordering::Relaxed);
        let _ = writeln!(out, "zan_in_flight_requests {n}");
        out
    }
}

fn counter(out: &mut String, name: &str, help: &str, table: &BTreeMap<Labels, u64>) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    for (labels, n) in table {
        let _ = writeln!(out, "{name}{} {n}", label_text(labels));
    }
}

fn histogram(out: &mut String, name: &str, help: &str, table: &BTreeMap<Labels, Histogram>) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} histogram");
    for (labels, h) in table {
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(h.counts) {
            cumulative += n;
            let mut with = labels.clone();
            with.push(("le", bound.to_string()));
            let _ = writeln!(out, "{name}_bucket{} {cumulative}", label_text(&with));
        }
        let mut with = labels.clone();
        with.push(("le", "+Inf".to_string()));
        let _ = writeln!(out, "{name}_bucket{} {}", label_text(&with), h.count);
        let _ = writeln!(out, "{name}_sum{} {}", label_text(labels), h.sum);
        let _ = writeln!(out, "{name}_count{} {}", label_text(labels), h.count);
    }
}

/// `{a="x",b="y"}` with `\`, `"` and line ends escaped; empty for no labels.
fn label_text(labels: &[(&'static str, String)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_histograms_cumulative() {
        let m = Metrics::default();
        m.request_started();
        m.request_done("/a\"b\\\n", "GET", 200, Duration::from_millis(3));
        let text = m.render(&[]);
        assert!(text.contains(r#"route="/a\"b\\\n""#), "{text}");
        assert!(text.contains(
            r#"zan_http_request_duration_seconds_bucket{route="/a\"b\\\n",le="0.005"} 1"#
        ));
        assert!(text.contains(r#"le="0.0025"} 0"#));
        assert!(text.contains("zan_in_flight_requests 0"));
    }
}
