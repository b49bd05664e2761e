//! `close_response` (13): a completed response closes, every lamport back to the operator who
//! funded it. The client may close it at any time after completion; anyone may once
//! `close_grace_slots` have passed.

mod accounts;
mod processor;

pub use accounts::{CloseResponseAccounts, ACCOUNTS};
pub use processor::process;
