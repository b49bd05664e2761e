//! `initialize_config` (0): creates the Config PDA and the 16 fee vault shards. One-time.

mod accounts;
mod data;
mod processor;

pub use accounts::InitializeConfigAccounts;
pub use data::{validate_fee_bps, ConfigLimits, InitializeConfigData};
pub use processor::process;
