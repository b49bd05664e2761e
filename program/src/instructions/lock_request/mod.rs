//! `lock_request` (8): an allowed server that passes the client's filters takes the request.
//! Solana's write lock on the request makes exactly one server win a race.

mod accounts;
mod processor;

pub use accounts::{LockRequestAccounts, ACCOUNTS};
pub use processor::process;
