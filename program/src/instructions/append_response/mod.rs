//! `append_response` (9): the locking server streams one encrypted chunk into the Response PDA,
//! creating it with the first chunk (operator-funded, optionally prefunded for later growth) and
//! resizing it for every later one.

mod accounts;
mod data;
mod processor;

pub use accounts::{AppendResponseAccounts, ACCOUNTS};
pub use data::{AppendResponseData, ARGS};
pub use processor::process;
