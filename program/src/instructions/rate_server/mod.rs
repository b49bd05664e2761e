//! `rate_server` (12): the client rates a completed response 1..=5, once; the server's
//! `rating_sum` / `rating_count` grow.

mod accounts;
mod data;
mod processor;

pub use accounts::{RateServerAccounts, ACCOUNTS};
pub use data::{RateServerData, ARGS};
pub use processor::process;
