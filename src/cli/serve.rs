//! `zan serve`: the command-line side of the service (its flags, sizes and durations read
//! here); the service itself is `crate::serve`.

use super::output::stderr_line;
use super::EXIT_USAGE;
use crate::serve::Config;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// The rulebook folders to serve (each under its own name, `/v1/rulebooks/{name}`).
    #[arg(required = true)]
    pub rulebooks: Vec<PathBuf>,
    /// The address to listen on (port 0: any free port, printed once listening).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Append one NDJSON line per decision to FILE, written before the decision is returned.
    #[arg(long, value_name = "FILE")]
    pub decision_log: Option<PathBuf>,
    /// The largest body of `decide` (and of the explorer's forms): bytes, or `64KiB`, `1MiB`.
    #[arg(long, default_value = "1MiB", value_parser = size)]
    pub max_body_bytes: usize,
    /// The longest line of a `batch` body: bytes, or `64KiB`, `1MiB`.
    #[arg(long, default_value = "1MiB", value_parser = size)]
    pub max_line_bytes: usize,
    /// How long a `decide` request (or one line of a `batch`) may take: `30s`, `500ms`.
    #[arg(long, default_value = "30s", value_parser = duration)]
    pub request_timeout: Duration,
    /// Requests deciding at once, over every rulebook; more are answered 503 `overloaded`.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrency: u32,
    /// How long SIGTERM or SIGINT waits for the requests in flight: `30s`, `500ms`.
    #[arg(long, default_value = "30s", value_parser = duration)]
    pub drain_timeout: Duration,
    /// How often each rulebook folder is checked for changes: `1s`, `100ms`.
    #[arg(long, default_value = "1s", value_parser = duration)]
    pub watch_interval: Duration,
    /// Do not watch the rulebook folders: serve the files read at start until stopped.
    #[arg(long)]
    pub no_watch: bool,
}

pub fn serve(args: ServeArgs) -> i32 {
    if args.watch_interval.is_zero() {
        stderr_line!("error: --watch-interval must be more than 0 (or give --no-watch)");
        return EXIT_USAGE;
    }
    let config = Config {
        rulebooks: args.rulebooks,
        addr: args.addr,
        decision_log: args.decision_log,
        max_body_bytes: args.max_body_bytes,
        max_line_bytes: args.max_line_bytes,
        request_timeout: args.request_timeout,
        max_concurrency: args.max_concurrency as usize,
        drain_timeout: args.drain_timeout,
        watch_interval: (!args.no_watch).then_some(args.watch_interval),
    };
    crate::serve::run(config)
}

/// A size: plain bytes (`1048576`), or with a unit `KiB`, `MiB`, `GiB` (also `KB`, `MB`,
/// `GB` in powers of 1000).
fn size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let unit_bytes: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => {
            return Err(format!(
                "`{text}` is not a size; write bytes, or `64KiB`, `1MiB`"
            ))
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size; write bytes, or `64KiB`, `1MiB`"))?;
    let bytes = n
        .checked_mul(unit_bytes)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Err("the size must be more than 0".into());
    }
    Ok(bytes)
}

/// A duration: `30s`, `500ms`, `2m`, or plain seconds (`30`).
fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("`{text}` is not a duration; write `30s`, `500ms` or `2m`");
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let millis = match unit.trim() {
        "" | "s" => n.checked_mul(1000),
        "ms" => Some(n),
        "m" | "min" => n.checked_mul(60_000),
        _ => return Err(bad()),
    };
    millis.map(Duration::from_millis).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_as_documented() {
        assert_eq!(size("1048576"), Ok(1 << 20));
        assert_eq!(size("1MiB"), Ok(1 << 20));
        assert_eq!(size("64KiB"), Ok(64 << 10));
        assert_eq!(size("2 MB"), Ok(2_000_000));
        assert!(size("1.5MiB").is_err());
        assert!(size("0").is_err());
        assert!(size("lots").is_err());
        assert_eq!(duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("7"), Ok(Duration::from_secs(7)));
        assert!(duration("soon").is_err());
    }
}
