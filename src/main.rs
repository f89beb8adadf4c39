//! The `zan` command.

/// mimalloc: checking and evaluation allocate many small, short-lived values (syntax trees,
/// decisions), which glibc's allocator serves markedly slower, and worse across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Checking and evaluation recurse over expressions (at most `syntax::MAX_NESTING` brackets
/// and `syntax::MAX_OPERATORS` operators deep); a generous stack keeps every accepted input
/// within bounds even in debug builds.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// A message on standard error; a closed or full standard error loses it, but must not turn
/// the exit status into a panic's.
fn say(message: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn main() {
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(zan::cli::run);
    let code = match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            say(format_args!(
                "error: zan stopped on an internal error; please report it with the input"
            ));
            70
        }
        Err(e) => {
            say(format_args!("error: cannot start zan: {e}"));
            70
        }
    };
    std::process::exit(code);
}
