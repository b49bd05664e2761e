//! `complete_request` (10): the locking server settles a finished answer. The operator gets
//! `cost − fee`, the fee vault shard the fee, and the request account closes to the client
//! (`stake − cost` + its rent). Reputation counters are updated.

mod accounts;
mod data;
mod processor;

pub use accounts::{CompleteRequestAccounts, ACCOUNTS};
pub use data::{CompleteRequestData, ARGS};
pub use processor::process;
