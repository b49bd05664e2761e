//! `deposit_bond` (21): the operator adds lamports to its server's bond.

mod accounts;
mod data;
mod processor;

pub use accounts::{DepositBondAccounts, ACCOUNTS};
pub use data::{BondAmountData, ARGS};
pub use processor::process;
