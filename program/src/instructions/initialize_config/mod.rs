//! `initialize_config` (0): creates the Config PDA and the 16 fee vault shards. One-time.

mod accounts;
mod data;
mod processor;

pub use accounts::{InitializeConfigAccounts, ACCOUNTS, FEE_VAULTS};
#[cfg(test)]
pub(crate) use data::tests as data_tests;
pub use data::{validate_fee_bps, ConfigLimits, InitializeConfigData, ARGS};
pub use processor::process;
