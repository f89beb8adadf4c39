//! The `zan` command.

fn main() {
    std::process::exit(zan::cli::run());
}
