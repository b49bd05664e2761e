//! `request_close_session` (18): the client starts a forced close; the server keeps
//! `grace_slots` to settle its last voucher.

mod accounts;
mod processor;

pub use accounts::{RequestCloseSessionAccounts, ACCOUNTS};
pub use processor::process;
