//! `withdraw_bond` (22): the operator takes lamports out of its server's bond once it holds no
//! locks and the cooldown since its last lock or settlement has passed.

mod accounts;
mod processor;

pub use crate::instructions::deposit_bond::{BondAmountData, ARGS};
pub use accounts::{WithdrawBondAccounts, ACCOUNTS};
pub use processor::process;
