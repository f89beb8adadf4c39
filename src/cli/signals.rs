//! The signals that stop `zan eval --batch` between two chunks: SIGINT (Ctrl-C) and SIGTERM
//! (`kill`, `timeout`, a service manager or a container runtime stopping the job).
//!
//! Either one asks the writer to stop after the chunk it is writing, so the output ends with
//! a whole line and the summary says how far the run got; the exit status is then 128 + the
//! signal, as shells report a process ended by it (130, 143). A second signal ends the process
//! at once with that status.
//!
//! SIGINT goes through `ctrlc` (which also serves Ctrl-C on Windows). `ctrlc` calls one
//! handler for every signal it handles, so it cannot tell SIGTERM from SIGINT: on Unix,
//! SIGTERM gets its own handler here, which only stores the signal number (an atomic store,
//! safe in a signal handler); the writer polls it.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal number of SIGINT (the same on every platform `ctrlc` serves).
const SIGINT: i32 = 2;
/// The signal number of SIGTERM.
#[cfg(unix)]
const SIGTERM: i32 = libc::SIGTERM;
#[cfg(not(unix))]
const SIGTERM: i32 = 15;

/// The first stopping signal received, 0 before any.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// A signal that asked the run to stop.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Stop(i32);

impl Stop {
    /// The exit status: 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
    pub fn exit_code(self) -> i32 {
        128 + self.0
    }

    /// What happened, for the summary: "interrupted" or "terminated".
    pub fn describe(self) -> &'static str {
        if self.0 == SIGTERM {
            "terminated"
        } else {
            "interrupted"
        }
    }
}

/// Handle SIGINT and SIGTERM from now on (for the rest of the process: only a batch run asks).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if RECEIVED
            .compare_exchange(0, SIGINT, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            std::process::exit(128 + SIGINT);
        }
    });
    #[cfg(unix)]
    unix::install(SIGTERM);
}

/// The signal that asked the run to stop, if one did.
pub fn received() -> Option<Stop> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => Some(Stop(n)),
    }
}

#[cfg(unix)]
mod unix {
    use super::RECEIVED;
    use std::sync::atomic::Ordering;

    /// Runs in signal context: only an atomic operation and `_exit`, both async-signal-safe.
    extern "C" fn on_signal(signal: libc::c_int) {
        if RECEIVED
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // SAFETY: `_exit` is async-signal-safe and takes any status.
            unsafe { libc::_exit(128 + signal) }
        }
    }

    /// Install `on_signal` for `signal`, unless the signal was ignored when zan started
    /// (`nohup`-style launchers ask for that, and it stays so).
    pub(super) fn install(signal: libc::c_int) {
        // SAFETY: `sigaction` is given a zero-initialised (valid) struct with an empty mask and
        // a handler that is an `extern "C" fn(c_int)` doing only async-signal-safe work; the
        // previous action is written into a struct we own.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, &action, &mut previous) == 0
                && previous.sa_sigaction == libc::SIG_IGN
            {
                libc::sigaction(signal, &previous, std::ptr::null_mut());
            }
        }
    }
}
