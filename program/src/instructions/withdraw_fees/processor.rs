use pinocchio::{AccountView, Address, ProgramResult};

use super::WithdrawFeesAccounts;
use crate::{
    errors::ChainferenceError, lamports::transfer_lamports, math::sub_u64,
    rent::rent_exempt_minimum, state::FeeVault,
};

/// Moves `lamports − rent_exempt_minimum` of every vault to the treasury (a vault passed twice
/// simply has nothing left the second time).
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = WithdrawFeesAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }
    let floor = rent_exempt_minimum(FeeVault::LEN)?;
    for vault in accounts.fee_vaults.iter_mut() {
        let balance = vault.lamports();
        if balance > floor {
            transfer_lamports(vault, accounts.treasury, sub_u64(balance, floor)?)?;
        }
    }
    Ok(())
}
