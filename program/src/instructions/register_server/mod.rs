//! `register_server` (2): creates the operator's Server PDA with its key, endpoint and models.

mod accounts;
mod data;
mod processor;

pub use accounts::{RegisterServerAccounts, ACCOUNTS};
#[cfg(test)]
pub(crate) use data::tests as data_tests;
pub use data::{read_endpoint, read_x25519_key, RegisterServerData, ARGS};
pub use processor::process;
