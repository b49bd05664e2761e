//! `update_config` (1): the admin replaces admin, treasury, fee, pause flag and limits.

mod accounts;
mod data;
mod processor;

pub use accounts::UpdateConfigAccounts;
pub use data::UpdateConfigData;
pub use processor::process;
