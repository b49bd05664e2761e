//! `cancel_request` (7): the client withdraws an Open request; every lamport (stake + rent)
//! returns to the client and the account closes.

mod accounts;
mod processor;

pub use accounts::{CancelRequestAccounts, ACCOUNTS};
pub use processor::process;
