//! `update_config` (1): the admin replaces admin, treasury, fee, pause flag and limits.

mod accounts;
mod data;
mod processor;

pub use accounts::{UpdateConfigAccounts, ACCOUNTS};
pub use data::{UpdateConfigData, ARGS};
pub use processor::process;
