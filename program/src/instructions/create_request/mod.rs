//! `create_request` (5): the client opens a request, escrowing the stake in the request account
//! itself, with the allow-list (wrapped data keys) and the first prompt bytes.

mod accounts;
mod data;
mod processor;

pub use accounts::{CreateRequestAccounts, ACCOUNTS};
pub use data::{CreateRequestData, ARGS};
pub use processor::process;
