//! `zan serve`: the decision service and the explorer, over HTTP (axum on tokio).
//!
//! The contract (endpoints, bodies, statuses, limits, metrics) is `docs/serve.md`; the
//! OpenAPI document that describes it to clients is built by `openapi.rs` from the rulebooks'
//! own JSON Schemas. Every decision goes through the same `Engine` path as `zan eval`
//! (`Engine::case_from_str`, `Engine::decide`, `Engine::write_decision`), so the same case
//! text gives the same decision bytes here as from the command line.
//!
//! - `state`: the rulebooks served (a snapshot `Arc` per request), their hash, reloads' input;
//! - `decide`, `batch`: the decision endpoints; `routes`: the router and the other endpoints;
//! - `api`: error answers and bodies within limits; `log`: the decision log; `metrics`;
//! - this file: start-up, the watchers that reload changed folders, and shutdown.
//!
//! The service's IO: it reads rulebook folders (only through `crate::load`), writes the
//! decision log, speaks HTTP and writes its log lines to standard error (`crate::console`).

mod api;
mod batch;
mod clock;
mod decide;
mod log;
mod metrics;
pub mod openapi;
mod routes;
mod state;

use crate::console::stderr_line;
use api::ApiError;
use axum::http::StatusCode;
use state::{Attempt, Loaded, Slot};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What `zan serve` was asked (its flags, read by `cli::serve`).
pub struct Config {
    pub rulebooks: Vec<PathBuf>,
    pub addr: String,
    pub decision_log: Option<PathBuf>,
    pub max_body_bytes: usize,
    pub max_line_bytes: usize,
    pub request_timeout: Duration,
    pub max_concurrency: usize,
    pub drain_timeout: Duration,
    /// `None` with `--no-watch`.
    pub watch_interval: Option<Duration>,
}

/// The limits a request is held to.
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_line_bytes: usize,
    pub request_timeout: Duration,
}

/// Everything a request handler shares.
pub struct App {
    pub slots: Vec<Arc<Slot>>,
    pub limits: Limits,
    pub metrics: metrics::Metrics,
    pub log: Option<log::DecisionLog>,
    permits: Arc<Semaphore>,
    draining: AtomicBool,
}

impl App {
    fn slot(&self, name: &str) -> Result<&Arc<Slot>, ApiError> {
        self.slots
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| ApiError::no_rulebook(name))
    }

    /// A place among the requests deciding at once, or 503 `overloaded`.
    fn permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.permits.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "too many requests are deciding at once (--max-concurrency); retry later",
            )
        })
    }

    fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    fn refuse_when_draining(&self) -> Result<(), ApiError> {
        if self.is_draining() {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "draining",
                "the server is shutting down",
            ));
        }
        Ok(())
    }
}

/// Exit codes, as the CLI's: a rulebook with errors at start is 1, a usage problem 2.
const EXIT_OK: i32 = 0;
const EXIT_FAILED: i32 = 1;
const EXIT_USAGE: i32 = 2;

/// Start the service; returns the process exit code once it has stopped.
pub fn run(config: Config) -> i32 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("zan-serve")
        .thread_stack_size(crate::THREAD_STACK_BYTES)
        .build();
    match runtime {
        Ok(rt) => {
            let code = rt.block_on(serve(config));
            // What is still running was cut off by --drain-timeout: do not wait for it.
            rt.shutdown_background();
            code
        }
        Err(e) => {
            stderr_line!("error: cannot start the server's threads: {e}");
            EXIT_USAGE
        }
    }
}

async fn serve(config: Config) -> i32 {
    let slots = match load_all(&config.rulebooks).await {
        Ok(slots) => slots,
        Err(code) => return code,
    };
    let log = match &config.decision_log {
        Some(path) => match log::DecisionLog::open(path) {
            Ok(log) => Some(log),
            Err(e) => {
                stderr_line!("error: {e}");
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let listener = match tokio::net::TcpListener::bind(config.addr.as_str()).await {
        Ok(l) => l,
        Err(e) => {
            stderr_line!("error: cannot listen on {}: {e}", config.addr);
            return EXIT_USAGE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a.to_string(),
        Err(_) => config.addr.clone(),
    };
    let app = Arc::new(App {
        slots,
        limits: Limits {
            max_body_bytes: config.max_body_bytes,
            max_line_bytes: config.max_line_bytes,
            request_timeout: config.request_timeout,
        },
        metrics: metrics::Metrics::default(),
        log,
        permits: Arc::new(Semaphore::new(config.max_concurrency)),
        draining: AtomicBool::new(false),
    });
    let signals = Signals::listen();
    stderr_line!("zan serve: listening on http://{addr}");
    for slot in &app.slots {
        stderr_line!("zan serve: {}", describe(slot, &slot.current()));
    }
    let watchers: Vec<_> = match config.watch_interval {
        Some(every) => app
            .slots
            .iter()
            .map(|slot| tokio::spawn(watch(app.clone(), slot.clone(), every)))
            .collect(),
        None => Vec::new(),
    };
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let signalled = {
        let app = app.clone();
        let drain = config.drain_timeout;
        async move {
            let signal = signals.first().await;
            app.draining.store(true, Ordering::SeqCst);
            stderr_line!(
                "zan serve: {signal}: shutting down; /readyz answers 503, no new connections, requests in flight have {} s to finish",
                drain.as_secs_f64()
            );
            let _ = stopping_tx.send(true);
        }
    };
    let server = axum::serve(listener, routes::router(app.clone()).into_make_service())
        .with_graceful_shutdown(signalled);
    let drain = config.drain_timeout;
    let cut_off = async move {
        let _ = stopping.wait_for(|s| *s).await;
        tokio::time::sleep(drain).await;
    };
    let code = tokio::select! {
        served = std::future::IntoFuture::into_future(server) => match served {
            Ok(()) => EXIT_OK,
            Err(e) => {
                stderr_line!("error: the server stopped: {e}");
                EXIT_FAILED
            }
        },
        () = cut_off => {
            stderr_line!("zan serve: --drain-timeout passed; the requests still in flight are cut off");
            EXIT_OK
        }
    };
    for w in watchers {
        w.abort();
    }
    if let Some(log) = &app.log {
        let app = app.clone();
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(log) = &app.log {
                log.close();
            }
        })
        .await;
        let _ = log;
        stderr_line!("zan serve: the decision log is flushed");
    }
    stderr_line!("zan serve: stopped");
    code
}

/// SIGTERM and SIGINT, listened for from the moment this is made: made before the listening
/// line is printed, so a signal sent as soon as that line is read stops the server gracefully
/// instead of killing it.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The first of them to come.
    async fn first(self) -> &'static str {
        #[cfg(unix)]
        if let (Some(mut term), Some(mut int)) = (self.term, self.int) {
            return tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
        }
        match tokio::signal::ctrl_c().await {
            Ok(()) => "SIGINT",
            Err(_) => std::future::pending().await,
        }
    }
}

/// `kz_visa from rulebooks/kz-visa: sha256:…, 4 versions (baseline, 2026-03-10, …)`.
fn describe(slot: &Slot, loaded: &Loaded) -> String {
    let versions = loaded.engine.rulebook().versions.len();
    let labels: Vec<String> = (0..versions).map(|i| loaded.version_label(i)).collect();
    format!(
        "{} from {}: {}, {versions} version{} ({})",
        slot.name,
        slot.folder.display(),
        loaded.hash,
        if versions == 1 { "" } else { "s" },
        labels.join(", ")
    )
}

/// Load every folder at start; a folder that does not load, or two that declare one name, stop
/// the start with their diagnostics.
async fn load_all(folders: &[PathBuf]) -> Result<Vec<Arc<Slot>>, i32> {
    let mut slots: Vec<Arc<Slot>> = Vec::new();
    for folder in folders {
        let path = folder.clone();
        let loaded = tokio::task::spawn_blocking(move || state::load(&path)).await;
        let loaded = match loaded {
            Ok(Ok(l)) => l,
            Ok(Err(failure)) => {
                crate::console::stderr_text(&failure.report);
                stderr_line!(
                    "error: cannot serve {}: {}",
                    folder.display(),
                    failure.message
                );
                return Err(if failure.diagnostics.is_some() {
                    EXIT_FAILED
                } else {
                    EXIT_USAGE
                });
            }
            Err(e) => {
                stderr_line!("error: cannot load {}: {e}", folder.display());
                return Err(EXIT_FAILED);
            }
        };
        for s in loaded.engine.skipped() {
            stderr_line!("warning: {s}");
        }
        if let Some(other) = slots.iter().find(|s| s.name == loaded.name()) {
            stderr_line!(
                "error: {} and {} both declare the rulebook `{}`; each rulebook is served under its own name, so serve one of them",
                other.folder.display(),
                folder.display(),
                loaded.name()
            );
            return Err(EXIT_USAGE);
        }
        slots.push(Arc::new(Slot::new(folder.clone(), loaded)));
    }
    Ok(slots)
}

/// Poll a folder every `every`; when what the loader would read changed, load and check it off
/// the request path, and serve it if it has no errors (and keeps its name).
async fn watch(app: Arc<App>, slot: Arc<Slot>, every: Duration) {
    let folder = slot.folder.clone();
    // From the folder as it was read at start, not as it is when this task first runs: an edit
    // made in between (the server already answers) must still be reloaded.
    let mut seen = slot.current().fingerprint.clone();
    loop {
        tokio::time::sleep(every).await;
        let now = fingerprint(&folder).await;
        if now == seen {
            continue;
        }
        seen = now;
        let path = folder.clone();
        let Ok(loaded) = tokio::task::spawn_blocking(move || state::load(&path)).await else {
            continue;
        };
        reloaded(&app, &slot, loaded);
    }
}

async fn fingerprint(folder: &Path) -> state::Fingerprint {
    let path = folder.to_path_buf();
    tokio::task::spawn_blocking(move || state::fingerprint(&path))
        .await
        .unwrap_or_default()
}

/// Serve a reload that checks, or record why it is not served.
fn reloaded(app: &App, slot: &Slot, loaded: Result<Loaded, state::Failure>) {
    let time = clock::rfc3339(SystemTime::now());
    let loaded = loaded.and_then(|l| {
        if l.name() == slot.name {
            Ok(l)
        } else {
            Err(state::Failure {
                message: format!(
                    "the files now declare the rulebook `{}`, but this folder is served as `{}`; restart the server to serve it under its new name",
                    l.name(),
                    slot.name
                ),
                report: String::new(),
                diagnostics: None,
            })
        }
    });
    match loaded {
        Ok(loaded) => {
            let same = slot.current().hash == loaded.hash;
            slot.record(Attempt {
                time,
                result: Ok(loaded.hash.clone()),
            });
            if same {
                return;
            }
            app.metrics.reloaded(&slot.name, true);
            stderr_line!("zan serve: reloaded {}", describe(slot, &loaded));
            slot.swap(loaded);
        }
        Err(failure) => {
            app.metrics.reloaded(&slot.name, false);
            crate::console::stderr_text(&failure.report);
            stderr_line!(
                "zan serve: not reloaded {} from {}: {}; still serving {}",
                slot.name,
                slot.folder.display(),
                failure.message,
                slot.current().hash
            );
            slot.record(Attempt {
                time,
                result: Err(failure),
            });
        }
    }
}
