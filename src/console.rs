//! Standard error for every consumer that runs in a process of its own (the CLI, the language
//! server): writes that never panic. A message that cannot be shown (a closed or full standard
//! error) must not stop the run, and `eprint!` panics on a closed pipe.
//!
//! Standard output is the CLI's (`cli::output`) or the language server's protocol; this module
//! never writes to it.

use std::io::{self, Write};

/// Write to standard error, ignoring failure.
pub fn stderr_text(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// `eprintln!` that never panics (see `stderr_text`).
macro_rules! stderr_line {
    ($($arg:tt)*) => {
        $crate::console::stderr_args(format_args!($($arg)*))
    };
}
pub(crate) use stderr_line;

/// One line to standard error, ignoring failure; used by `stderr_line!`.
pub fn stderr_args(args: std::fmt::Arguments) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}
