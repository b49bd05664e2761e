//! `expire_request` (11), callable by anyone: an Open request past `open_until`, or a Locked one
//! past its deadline, is refunded in full to the client and closed. A missed deadline counts
//! against the server (`expired += 1`) and its partial response closes to the operator.

mod accounts;
mod processor;

pub use accounts::{ExpireRequestAccounts, ACCOUNTS};
pub use processor::process;
