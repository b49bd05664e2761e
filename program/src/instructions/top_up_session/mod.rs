//! `top_up_session` (16): the client adds lamports to an Open session's deposit.

mod accounts;
mod data;
mod processor;

pub use accounts::{TopUpSessionAccounts, ACCOUNTS};
pub use data::{TopUpSessionData, ARGS};
pub use processor::process;
