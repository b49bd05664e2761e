//! `withdraw_fees` (14): the admin sweeps every passed fee vault's lamports above its rent-exempt
//! minimum to the treasury.

mod accounts;
mod processor;

pub use accounts::{WithdrawFeesAccounts, ACCOUNTS, FEE_VAULTS};
pub use processor::process;
