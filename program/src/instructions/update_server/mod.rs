//! `update_server` (3): full replacement of key, endpoint, active flag and models; the account is
//! resized to the new model count with rent topped up from, or returned exactly to, the operator.

mod accounts;
mod data;
mod processor;

pub use accounts::{UpdateServerAccounts, ACCOUNTS};
pub use data::{UpdateServerData, ARGS};
pub use processor::process;
