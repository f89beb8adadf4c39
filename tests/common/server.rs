//! A real `zan serve` on a loopback port, for the service, browser and fuzz tests: the binary
//! started as a user would start it, its address read from the line it prints on standard
//! error, stopped (SIGTERM, then killed) when the value is dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Everything the server wrote on standard error so far (the reader keeps appending).
    pub stderr: Arc<Mutex<String>>,
}

/// The line `zan serve` prints once it listens: `zan serve: listening on http://ADDR`.
const LISTENING: &str = "listening on http://";

impl Server {
    /// `zan serve RULEBOOK --addr 127.0.0.1:0 EXTRA…`, waiting until it listens.
    pub fn start(rulebook: &Path, extra: &[&str]) -> Server {
        let mut args: Vec<String> = vec!["serve".into(), rulebook.display().to_string()];
        args.push("--addr".into());
        args.push("127.0.0.1:0".into());
        args.extend(extra.iter().map(|s| s.to_string()));
        Server::start_args(&args)
    }

    /// `zan ARGS…` (which must include `serve` and an `--addr` with port 0), waiting until it
    /// listens.
    pub fn start_args(args: &[String]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("zan serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let seen = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        read_stderr(stderr, seen.clone(), tx);
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "zan serve did not say it listens within 60 s; stderr:\n{}",
                    seen.lock().unwrap()
                );
            }
        };
        Server {
            child: Some(child),
            url: format!("http://{addr}"),
            addr,
            stderr: seen,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Send SIGTERM and wait for the exit status (at most `wait`); kill it after that.
    pub fn terminate(mut self, wait: Duration) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        signal(child.id(), "TERM");
        let deadline = std::time::Instant::now() + wait;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// What the server wrote on standard error so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
}

/// Copy standard error into `seen`, sending the address once the listening line comes.
fn read_stderr(stderr: ChildStderr, seen: Arc<Mutex<String>>, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut line = String::new();
        let mut sent = false;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            seen.lock().unwrap().push_str(&line);
            if !sent {
                if let Some(at) = line.find(LISTENING) {
                    let addr = line[at + LISTENING.len()..].trim().trim_end_matches('/');
                    let _ = tx.send(addr.to_string());
                    sent = true;
                }
            }
        }
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        seen.lock().unwrap().push_str(&rest);
    });
}
