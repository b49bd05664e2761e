//! `lock_request` (8): an allowed server that passes the client's filters takes the request,
//! naming the X25519 key it locks with (its current one). Solana's write lock on the request makes
//! exactly one server win a race.

mod accounts;
mod data;
mod processor;

pub use accounts::{LockRequestAccounts, ACCOUNTS};
pub use data::{LockRequestData, ARGS};
pub use processor::process;
