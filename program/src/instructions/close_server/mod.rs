//! `close_server` (4): the operator closes a server with no active locks; every lamport returns
//! to the operator.

mod accounts;
mod processor;

pub use accounts::{CloseServerAccounts, ACCOUNTS};
pub use processor::process;
