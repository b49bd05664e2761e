//! Helpers for the program's host unit tests only: compiled into `cargo test` builds through
//! `#[cfg(test)] #[path] mod test_support` in `src/lib.rs`, never into the program.

mod xorshift;

pub use xorshift::XorShift;
