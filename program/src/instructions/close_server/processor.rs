use pinocchio::{AccountView, Address, ProgramResult};

use super::CloseServerAccounts;
use crate::{errors::ChainferenceError, lamports::close_account, state::Server};

/// Closes the server to its operator once no request is locked by it and its bond is withdrawn.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = CloseServerAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }
    {
        // SAFETY: short-lived shared view, dropped before the account closes.
        let state = Server::load(unsafe { accounts.server.borrow_unchecked() })?;
        if state.active_locks() != 0 {
            return Err(ChainferenceError::ServerHasActiveLocks.into());
        }
        // The bond leaves only through withdraw_bond, after its cooldown.
        if state.bond() != 0 {
            return Err(ChainferenceError::BondNotWithdrawn.into());
        }
    }
    close_account(accounts.server, accounts.operator)
}
