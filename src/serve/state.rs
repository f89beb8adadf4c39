//! The rulebooks being served: per rulebook the version served (an `Arc<Loaded>`, swapped
//! whole when a reload checks, so a request keeps the snapshot it started with), the last load
//! attempt and its diagnostics; the content hash; the fingerprint that tells a reload is due.
//!
//! Files are read only through `crate::load` (via `Engine::load`, and its walker for the
//! fingerprint): nothing outside a rulebook folder is read.

use super::clock;
use crate::diagnostics::render;
use crate::engine::{Engine, LoadError};
use crate::explorer::{Mode, Site};
use crate::source::SourceMap;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

/// One version of a rulebook's files, loaded and checked.
pub struct Loaded {
    pub engine: Arc<Engine>,
    /// `sha256:` and the hex digest of the files (`content_hash`).
    pub hash: String,
    /// When it was loaded (RFC 3339, UTC).
    pub loaded_at: String,
    /// The explorer's pages of this version.
    pub site: Site,
    /// The folder as it was just before it was read: the watcher starts from it, so a change
    /// made while the server starts (or reloads) is not taken for the state it serves.
    pub fingerprint: Fingerprint,
}

impl Loaded {
    pub fn name(&self) -> &str {
        &self.engine.rulebook().name
    }

    /// `{"index", "in_force_from", "in_force_until"}` of version `index`.
    pub fn version_json(&self, index: usize) -> Json {
        let v = self.engine.rulebook().versions.get(index);
        let day = |d: Option<crate::engine::Day>| d.map(crate::time::date::format);
        json!({
            "index": index,
            "in_force_from": day(v.and_then(|v| v.from)),
            "in_force_until": day(v.and_then(|v| v.until)),
        })
    }

    /// The label of version `index` in metrics: its `in_force_from`, or `baseline`.
    pub fn version_label(&self, index: usize) -> String {
        let v = self.engine.rulebook().versions.get(index);
        match v.and_then(|v| v.from) {
            Some(d) if index > 0 => crate::time::date::format(d),
            _ => "baseline".to_string(),
        }
    }

    /// The diagnostics of this version as `zan check --format json` gives them (warnings and
    /// notes only: a version served has no errors).
    pub fn diagnostics_json(&self) -> Json {
        let map = &self.engine.rulebook().source_map;
        check_json(map, self.engine.warnings())
    }
}

/// `{"errors", "warnings", "diagnostics"}`, as `zan check --format json`.
fn check_json(map: &SourceMap, diagnostics: &[crate::diagnostics::Diagnostic]) -> Json {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Warning)
        .count();
    let list: Vec<Json> = diagnostics
        .iter()
        .map(|d| render::to_json(map, d))
        .collect();
    json!({ "errors": errors, "warnings": warnings, "diagnostics": list })
}

/// A load that did not give a version to serve.
pub struct Failure {
    /// One line: why.
    pub message: String,
    /// The diagnostics as the terminal shows them (empty for a file that could not be read).
    pub report: String,
    /// The diagnostics as `zan check --format json` gives them, when the rulebook was read.
    pub diagnostics: Option<Json>,
}

/// The last load attempt of a rulebook.
pub struct Attempt {
    pub time: String,
    pub result: Result<String, Failure>,
}

impl Attempt {
    pub fn json(&self) -> Json {
        match &self.result {
            Ok(hash) => json!({ "time": self.time, "result": "ok", "hash": hash }),
            Err(f) => {
                let mut j = json!({ "time": self.time, "result": "error", "message": f.message });
                if let (Some(d), Some(o)) = (&f.diagnostics, j.as_object_mut()) {
                    for (k, v) in d.as_object().into_iter().flatten() {
                        o.insert(k.clone(), v.clone());
                    }
                }
                j
            }
        }
    }
}

/// A rulebook being served.
pub struct Slot {
    pub folder: PathBuf,
    pub name: String,
    current: RwLock<Arc<Loaded>>,
    last: Mutex<Attempt>,
}

impl Slot {
    pub fn new(folder: PathBuf, loaded: Loaded) -> Slot {
        let last = Attempt {
            time: loaded.loaded_at.clone(),
            result: Ok(loaded.hash.clone()),
        };
        Slot {
            folder,
            name: loaded.name().to_string(),
            current: RwLock::new(Arc::new(loaded)),
            last: Mutex::new(last),
        }
    }

    /// The version served now; the lock is held only to clone the `Arc`.
    pub fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn swap(&self, loaded: Loaded) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
    }

    pub fn record(&self, attempt: Attempt) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = attempt;
    }

    /// Whether the last load attempt gave the version served (or one identical to it).
    pub fn last_ok(&self) -> bool {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .result
            .is_ok()
    }

    pub fn last_json(&self) -> Json {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).json()
    }
}

/// Load and check a rulebook folder (blocking: call off the reactor).
pub fn load(folder: &Path) -> Result<Loaded, Failure> {
    let before = fingerprint(folder);
    match Engine::load(folder) {
        Ok(engine) => {
            let hash = content_hash(folder, &engine.rulebook().source_map);
            let engine = Arc::new(engine);
            let site = Site::new(&engine.rulebook().name, engine.clone(), Mode::Live);
            Ok(Loaded {
                engine,
                hash,
                loaded_at: clock::rfc3339(SystemTime::now()),
                site,
                fingerprint: before,
            })
        }
        Err(LoadError::Io(message)) => Err(Failure {
            message,
            report: String::new(),
            diagnostics: None,
        }),
        Err(LoadError::Check {
            diagnostics,
            sources,
            ..
        }) => {
            // The errors are what stops it; the warnings are `zan check`'s to show.
            let errors: Vec<_> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect();
            Err(Failure {
                message: format!("the rulebook has {} error(s)", errors.len()),
                report: render::to_terminal(&sources, &errors, false),
                diagnostics: Some(check_json(&sources, &diagnostics)),
            })
        }
    }
}

/// `sha256:` and the hex SHA-256 of every `.zan` file and legal text read, each as its path
/// relative to the folder, a NUL, its length in decimal, a NUL, its bytes, in path order.
pub fn content_hash(folder: &Path, map: &SourceMap) -> String {
    let mut files: Vec<(String, &str)> = map
        .files()
        .iter()
        .chain(map.legal_texts())
        .map(|f| (relative(folder, &f.name), f.text.as_str()))
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    for (path, text) in files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(text.len().to_string().as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// A file's name in the source map (the folder joined with its path) relative to the folder,
/// `/`-separated; a single `.zan` file served is named by its file name.
fn relative(folder: &Path, name: &str) -> String {
    let path = Path::new(name);
    let rel = match path.strip_prefix(folder) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel,
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// What the loader would read, cheaply: each `.zan` file the walker finds and each entry of
/// `sources/`, with its size and modification time. A change means a reload is due.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Fingerprint(Vec<(PathBuf, u64, Option<SystemTime>)>);

pub fn fingerprint(folder: &Path) -> Fingerprint {
    let mut seen = Vec::new();
    let stat = |p: &Path, link: bool| {
        let m = if link {
            std::fs::symlink_metadata(p)
        } else {
            std::fs::metadata(p)
        };
        m.map(|m| (m.len(), m.modified().ok())).unwrap_or((0, None))
    };
    if folder.is_dir() {
        if let Ok(walk) = crate::load::walk(folder) {
            for f in walk.files {
                let (len, time) = stat(&f.real, false);
                seen.push((f.shown, len, time));
            }
        }
        let sources = folder.join("sources");
        if let Ok(entries) = std::fs::read_dir(&sources) {
            let mut names: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            names.sort();
            for p in names {
                let (len, time) = stat(&p, true);
                seen.push((p, len, time));
            }
        }
    } else {
        let (len, time) = stat(folder, false);
        seen.push((folder.to_path_buf(), len, time));
    }
    Fingerprint(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_names_files_relative_to_the_folder() {
        let mut a = SourceMap::new();
        a.add("/x/rb/main.zan", "rulebook r {}");
        a.add_legal_text("/x/rb/sources/law.txt", "law");
        let mut b = SourceMap::new();
        b.add_legal_text("other/rb/sources/law.txt", "law");
        b.add("other/rb/main.zan", "rulebook r {}");
        let ha = content_hash(Path::new("/x/rb"), &a);
        assert_eq!(ha, content_hash(Path::new("other/rb"), &b));
        assert!(ha.starts_with("sha256:") && ha.len() == 7 + 64);
        let mut manual = Sha256::new();
        manual.update(b"main.zan\x0013\x00rulebook r {}sources/law.txt\x003\x00law");
        let hex: String = manual
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(ha, format!("sha256:{hex}"));
    }
}
