//! `reclaim_session` (20): anyone frees a Closed session's tombstone once its open slot has left
//! the window; the rent returns to the client.

mod accounts;
mod processor;

pub use accounts::{ReclaimSessionAccounts, ACCOUNTS};
pub use processor::process;
