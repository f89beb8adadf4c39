//! `cargo +nightly fuzz run rulebook_mutate`: see `tests/support/fuzz.rs` for what it does.
#![no_main]

#[path = "../../tests/support/fuzz.rs"]
mod fuzz;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::rulebook_mutate(data));
