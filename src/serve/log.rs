//! The decision log (`--decision-log FILE`): append-only NDJSON, one line per decision, written
//! before the decision is returned.
//!
//! One writer thread owns the file. Requests send their lines with a reply channel; the
//! writer takes every group waiting, writes them with one call, `fdatasync`s a regular file,
//! and only then answers each request. A failed write answers an error, and the request
//! turns into 503 `decision_log`: a decision is never returned without its line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Lines of one request (each ended by `\n`) and where to say whether they were written.
struct Group {
    text: Vec<u8>,
    done: oneshot::Sender<Result<(), String>>,
}

pub struct DecisionLog {
    tx: Mutex<Option<Sender<Group>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// Most bytes written with one call when many groups are waiting.
const MAX_WRITE: usize = 8 << 20;

impl DecisionLog {
    /// Open `path` for appending (created if absent); a folder or an unwritable path is an
    /// error.
    pub fn open(path: &Path) -> Result<DecisionLog, String> {
        if path.is_dir() {
            return Err(format!(
                "--decision-log {} is a folder; give a file",
                path.display()
            ));
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the decision log {}: {e}", path.display()))?;
        let durable = file.metadata().map(|m| m.is_file()).unwrap_or(false);
        let (tx, rx) = channel::<Group>();
        let writer = std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || write_groups(file, durable, &rx))
            .map_err(|e| format!("cannot start the decision log's writer: {e}"))?;
        Ok(DecisionLog {
            tx: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Append `text` (whole lines) and wait until it is written (and synced for a file).
    pub async fn append(&self, text: Vec<u8>) -> Result<(), String> {
        let (done, answer) = oneshot::channel();
        let sent = match &*self.tx.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(tx) => tx.send(Group { text, done }).is_ok(),
            None => false,
        };
        if !sent {
            return Err("the decision log is closed".into());
        }
        answer
            .await
            .unwrap_or_else(|_| Err("the decision log's writer stopped".into()))
    }

    /// Write what is waiting, then close the file (at shutdown).
    pub fn close(&self) {
        drop(self.tx.lock().unwrap_or_else(|e| e.into_inner()).take());
        if let Some(writer) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = writer.join();
        }
    }
}

fn write_groups(mut file: File, durable: bool, rx: &Receiver<Group>) {
    while let Ok(first) = rx.recv() {
        let mut groups = vec![first];
        let mut size = groups[0].text.len();
        while size < MAX_WRITE {
            match rx.try_recv() {
                Ok(g) => {
                    size += g.text.len();
                    groups.push(g);
                }
                Err(_) => break,
            }
        }
        let mut text = Vec::with_capacity(size);
        for g in &groups {
            text.extend_from_slice(&g.text);
        }
        let mut result = file.write_all(&text).and_then(|()| file.flush());
        if durable && result.is_ok() {
            result = file.sync_data();
        }
        let result = result.map_err(|e| format!("cannot write the decision log: {e}"));
        for g in groups {
            let _ = g.done.send(result.clone());
        }
    }
}
