//! The one way the commands write: standard output through `Output`, standard error through
//! `stderr_line!`/`stderr_text`.
//!
//! Output is lost in two different ways, and they are told apart here, once for every command:
//! - the reader has gone (a closed pipe, `zan check ... | head -1`): nothing more can be
//!   read, so there is nothing more to write; the command ends quietly with its usual exit code;
//! - anything else (a full disk, an I/O error): what the reader gets is incomplete, so the
//!   command says what failed, writes nothing more, and exits with `EXIT_USAGE` (2).
//!
//! `println!` would panic on both. Standard error is written without panicking as well
//! (`crate::console`, shared with the language server): a closed or full standard error loses
//! the message, never the run.

use super::EXIT_USAGE;
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

/// Whether standard output is a terminal (colour and layout for people).
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Whether standard error is a terminal and colour is not turned off (`NO_COLOR`).
pub fn stderr_color() -> bool {
    io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// What became of standard output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    /// Everything written so far was accepted.
    Open,
    /// The reader has gone: the rest is not written, and that is not an error.
    Closed,
    /// A write failed (reported on standard error): the rest is not written.
    Failed,
}

/// Standard output, locked and buffered for the whole command.
pub struct Output {
    out: BufWriter<StdoutLock<'static>>,
    state: State,
    /// What the last write held, to name it if flushing it fails.
    what: &'static str,
}

impl Default for Output {
    fn default() -> Self {
        Output::new()
    }
}

impl Output {
    pub fn new() -> Output {
        Output {
            out: BufWriter::with_capacity(1 << 16, io::stdout().lock()),
            state: State::Open,
            what: "the output",
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Write `bytes`, which hold `what` ("the decision", "the report"); `false` once the output
    /// is no longer open (then nothing is written). A failure is reported once, here.
    pub fn write(&mut self, what: &'static str, bytes: &[u8]) -> bool {
        if self.state != State::Open {
            return false;
        }
        self.what = what;
        let result = self.out.write_all(bytes);
        self.settle(result)
    }

    /// Write `bytes` and flush them at once, so that they appear in order with what goes to
    /// standard error (a message per file).
    pub fn write_flushed(&mut self, what: &'static str, bytes: &[u8]) -> bool {
        self.write(what, bytes) && self.flush()
    }

    /// Write everything and flush; `false` once the output is no longer open.
    pub fn flush(&mut self) -> bool {
        if self.state != State::Open {
            return false;
        }
        let result = self.out.flush();
        self.settle(result)
    }

    /// Flush, then the exit code: `code` when everything was written or the reader has gone,
    /// `EXIT_USAGE` when writing failed.
    pub fn finish(mut self, code: i32) -> i32 {
        self.flush();
        match self.state {
            State::Failed => EXIT_USAGE,
            State::Open | State::Closed => code,
        }
    }

    fn settle(&mut self, result: io::Result<()>) -> bool {
        match result {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.state = State::Closed;
                false
            }
            Err(e) => {
                self.state = State::Failed;
                stderr_text(&format!(
                    "error: cannot write {} to standard output: {e}\n",
                    self.what
                ));
                false
            }
        }
    }
}

/// Write `text` (which holds `what`) to standard output and flush it; the exit code is `code`,
/// or `EXIT_USAGE` when writing failed.
pub fn print(what: &'static str, text: &str, code: i32) -> i32 {
    let mut out = Output::new();
    out.write(what, text.as_bytes());
    out.finish(code)
}

pub(crate) use crate::console::{stderr_line, stderr_text};
